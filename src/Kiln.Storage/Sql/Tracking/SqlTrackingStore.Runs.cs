using System.Data.Common;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

public sealed partial class SqlTrackingStore
{
    public async Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default)
    {
        var runId = _context.Ids.NewId();
        var name = run.RunName ?? run.Tags.LastOrDefault(t => t.Key == RunNameGenerator.RunNameTag)?.Value ?? RunNameGenerator.Generate();
        await _dialect.WriteAsync(async (connection, transaction) =>
        {
            var experimentId = await RequireExperimentAsync(connection, transaction, run.ExperimentId, requireActive: true, ct);
            var location = (string)(await connection.ScalarAsync(transaction, "SELECT artifact_location FROM experiments WHERE experiment_id = @id", ct, ("id", experimentId)))!;
            await connection.ExecuteAsync(transaction,
                "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) " +
                "VALUES (@id, @name, @exp, @user, 'RUNNING', @start, NULL, @uri, 'active')",
                ct, ("id", runId), ("name", name), ("exp", experimentId), ("user", run.UserId), ("start", run.StartTime),
                ("uri", $"{location.TrimEnd('/')}/{runId}/artifacts"));
            var tags = run.Tags.Where(t => t.Key != RunNameGenerator.RunNameTag).Append(new Tag(RunNameGenerator.RunNameTag, name));
            foreach (var tag in tags)
            {
                await UpsertRunTagAsync(connection, transaction, runId, tag, ct);
            }
            return 0;
        }, ct);
        return await GetRunAsync(runId, ct);
    }

    public async Task<Run> GetRunAsync(string runId, CancellationToken ct = default)
    {
        await using var connection = await _dialect.OpenAsync(ct);
        var infos = await ReadRunInfosAsync(connection, $"SELECT {RunColumns} FROM runs r WHERE r.run_uuid = @id", [("id", runId)], ct);
        if (infos.Count == 0)
        {
            throw RunNotFound(runId);
        }
        return (await LoadRunsAsync(connection, infos, ct))[0];
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken ct = default)
    {
        await _dialect.WriteAsync(async (connection, transaction) =>
        {
            await RunStageAsync(connection, transaction, runId, requireActive: true, ct);
            if (status is { } s)
            {
                await connection.ExecuteAsync(transaction, "UPDATE runs SET status = @s WHERE run_uuid = @id", ct, ("s", s.WireName()), ("id", runId));
            }
            if (endTime is { } end)
            {
                await connection.ExecuteAsync(transaction, "UPDATE runs SET end_time = @e WHERE run_uuid = @id", ct, ("e", end), ("id", runId));
            }
            if (!string.IsNullOrEmpty(runName))
            {
                await UpsertRunTagAsync(connection, transaction, runId, new Tag(RunNameGenerator.RunNameTag, runName), ct);
            }
            return 0;
        }, ct);
        return (await GetRunAsync(runId, ct)).Info;
    }

    public Task SetRunLifecycleAsync(string runId, LifecycleStage stage, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            await RunStageAsync(connection, transaction, runId, requireActive: false, ct);
            return await connection.ExecuteAsync(transaction, "UPDATE runs SET lifecycle_stage = @s, deleted_time = @dt WHERE run_uuid = @id", ct,
                ("s", stage.WireName()), ("dt", stage == LifecycleStage.Deleted ? Now() : null), ("id", runId));
        }, ct);

    public Task DeleteRunTagAsync(string runId, string key, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            await RunStageAsync(connection, transaction, runId, requireActive: true, ct);
            var deleted = await connection.ExecuteAsync(transaction, "DELETE FROM tags WHERE run_uuid = @id AND key = @k", ct, ("id", runId), ("k", key));
            return deleted == 0
                ? throw Core.Errors.KilnException.NotFound($"No tag with name: {key} in run with id {runId}")
                : deleted;
        }, ct);

    public async Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int maxResults, MetricCursor? after, CancellationToken ct = default)
    {
        await using var connection = await _dialect.OpenAsync(ct);
        if (await connection.ScalarAsync(null, "SELECT 1 FROM runs WHERE run_uuid = @id", ct, ("id", runId)) is null)
        {
            throw RunNotFound(runId);
        }
        var page = new MetricPage(key, maxResults, after);
        // Chunks written before migration 2 carry no step range and are read whole; chunks since are read in order of
        // their first step, skipping those that end before the cursor and stopping once no later chunk can change the page.
        await using (var legacy = connection.Command(null, "SELECT points FROM metric_points WHERE run_uuid = @id AND key = @k AND min_step IS NULL"))
        {
            legacy.Add("id", runId);
            legacy.Add("k", key);
            await using var reader = await legacy.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                page.Add((byte[])reader.GetValue(0));
            }
        }
        await using (var command = connection.Command(null,
            "SELECT min_step, points FROM metric_points WHERE run_uuid = @id AND key = @k AND min_step IS NOT NULL AND max_step >= @s ORDER BY min_step"))
        {
            command.Add("id", runId);
            command.Add("k", key);
            command.Add("s", after?.Step ?? long.MinValue);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct) && !page.IsCompleteBefore(reader.GetInt64(0)))
            {
                page.Add((byte[])reader.GetValue(1));
            }
        }
        return page.ToPage();
    }

    private async Task UpsertRunTagAsync(DbConnection connection, DbTransaction transaction, string runId, Tag tag, CancellationToken ct)
    {
        await connection.ExecuteAsync(transaction,
            "INSERT INTO tags (run_uuid, key, value) VALUES (@id, @k, @v) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
            ct, ("id", runId), ("k", tag.Key), ("v", tag.Value));
        if (tag.Key == RunNameGenerator.RunNameTag)
        {
            await connection.ExecuteAsync(transaction, "UPDATE runs SET name = @n WHERE run_uuid = @id", ct, ("n", tag.Value), ("id", runId));
        }
    }

    private static async Task<List<RunInfo>> ReadRunInfosAsync(DbConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        await using var command = connection.Command(null, sql);
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var infos = new List<RunInfo>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            infos.Add(ReadRunInfo(reader));
        }
        return infos;
    }

    /// <summary>Loads latest metrics, params, tags and inputs for the given runs (one query each), keeping their order.</summary>
    private async Task<List<Run>> LoadRunsAsync(DbConnection connection, IReadOnlyList<RunInfo> infos, CancellationToken ct)
    {
        var metrics = new Dictionary<string, List<Metric>>();
        var parameters = new Dictionary<string, List<Param>>();
        var tags = new Dictionary<string, List<Tag>>();
        var inputs = new Dictionary<string, List<DatasetInput>>();
        if (infos.Count > 0)
        {
            var ids = _dialect.StringSet([.. infos.Select(i => i.RunId)]);
            await ReadEachAsync(connection, $"SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE {_dialect.InStringSet("run_uuid", "@ids")}", ids, reader =>
                Bucket(metrics, reader.GetString(0)).Add(new Metric(reader.GetString(1), reader.GetInt32(5) != 0 ? double.NaN : reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4))), ct);
            await ReadEachAsync(connection, $"SELECT run_uuid, key, value FROM params WHERE {_dialect.InStringSet("run_uuid", "@ids")}", ids, reader =>
                Bucket(parameters, reader.GetString(0)).Add(new Param(reader.GetString(1), reader.GetString(2))), ct);
            await ReadEachAsync(connection, $"SELECT run_uuid, key, value FROM tags WHERE {_dialect.InStringSet("run_uuid", "@ids")}", ids, reader =>
                Bucket(tags, reader.GetString(0)).Add(new Tag(reader.GetString(1), reader.GetString(2))), ct);
            await LoadInputsAsync(connection, ids, inputs, ct);
        }
        // Sorting each run's few entries here is cheaper than an ORDER BY over all of them in SQL.
        foreach (var list in metrics.Values)
        {
            list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }
        foreach (var list in parameters.Values)
        {
            list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }
        foreach (var list in tags.Values)
        {
            list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }
        return [.. infos.Select(info => new Run(info,
            new RunData(
                metrics.TryGetValue(info.RunId, out var m) ? m : [],
                parameters.TryGetValue(info.RunId, out var p) ? p : [],
                tags.TryGetValue(info.RunId, out var t) ? t : []),
            inputs.TryGetValue(info.RunId, out var d) ? d : []))];
    }

    private static async Task ReadEachAsync(DbConnection connection, string sql, object runIds, Action<DbDataReader> read, CancellationToken ct)
    {
        await using var command = connection.Command(null, sql);
        command.Add("ids", runIds);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            read(reader);
        }
    }

    private static List<T> Bucket<T>(Dictionary<string, List<T>> buckets, string key)
    {
        if (!buckets.TryGetValue(key, out var list))
        {
            buckets[key] = list = [];
        }
        return list;
    }
}
