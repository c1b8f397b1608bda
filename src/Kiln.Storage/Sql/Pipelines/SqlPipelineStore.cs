using System.Data.Common;
using System.Text.Json;
using Kiln.Core.Pipelines;

namespace Kiln.Storage.Sql.Pipelines;

/// <summary>
/// Pipelines, runs, steps and the step cache on SQLite or PostgreSQL. The step table is also the work queue: a claim is one
/// UPDATE of the oldest claimable row, picked with <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL (SQLite serialises writers, so
/// it needs none). Every change to a run locks the run row first (a write that changes nothing), so two workers finishing
/// steps of one run at once decide one after the other and neither misses a step the other made ready.
/// </summary>
public sealed partial class SqlPipelineStore(SqlDialect dialect) : IPipelineStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string RunColumns = "id, pipeline, status, trigger_kind, cause, params_json, spec_yaml, force, user_name, created_at, started_at, finished_at, error, tracking_run_id";

    private const string StepColumns = "run_id, step, status, attempt, failures, labels, ready_at, worker, lease_until, started_at, finished_at, outputs_json, cache_key, cached_from, error, tracking_run_id";

    /// <summary>Migration 16: pipelines, runs, steps and the step cache.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE pipelines (
            name TEXT PRIMARY KEY,
            yaml TEXT NOT NULL,
            hash TEXT NOT NULL,
            updated_at {t.BigInt} NOT NULL,
            updated_by TEXT NOT NULL);
        CREATE TABLE pipeline_runs (
            id TEXT PRIMARY KEY,
            pipeline TEXT NOT NULL,
            status TEXT NOT NULL,
            trigger_kind TEXT NOT NULL,
            cause TEXT,
            params_json TEXT NOT NULL,
            spec_yaml TEXT NOT NULL,
            force {t.BigInt} NOT NULL,
            user_name TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            started_at {t.BigInt},
            finished_at {t.BigInt},
            error TEXT,
            tracking_run_id TEXT);
        CREATE INDEX ix_pipeline_runs_pipeline ON pipeline_runs (pipeline, created_at);
        CREATE INDEX ix_pipeline_runs_created ON pipeline_runs (created_at);
        CREATE TABLE pipeline_steps (
            run_id TEXT NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            position {t.BigInt} NOT NULL,
            status TEXT NOT NULL,
            attempt {t.BigInt} NOT NULL,
            failures {t.BigInt} NOT NULL,
            labels TEXT NOT NULL,
            ready_at {t.BigInt} NOT NULL,
            worker TEXT,
            lease_until {t.BigInt},
            started_at {t.BigInt},
            finished_at {t.BigInt},
            outputs_json TEXT NOT NULL,
            cache_key TEXT,
            cached_from TEXT,
            error TEXT,
            tracking_run_id TEXT,
            PRIMARY KEY (run_id, step));
        CREATE INDEX ix_pipeline_steps_queue ON pipeline_steps (status, ready_at);
        CREATE INDEX ix_pipeline_steps_lease ON pipeline_steps (status, lease_until);
        CREATE TABLE pipeline_step_cache (
            cache_key TEXT PRIMARY KEY,
            pipeline TEXT NOT NULL,
            step TEXT NOT NULL,
            outputs_json TEXT NOT NULL,
            run_id TEXT NOT NULL,
            tracking_run_id TEXT,
            created_at {t.BigInt} NOT NULL);
        CREATE TABLE pipeline_triggers (
            pipeline TEXT NOT NULL,
            trigger_key TEXT NOT NULL,
            watermark TEXT NOT NULL,
            PRIMARY KEY (pipeline, trigger_key));
        """;

    public Task SaveAsync(PipelineDefinition pipeline, CancellationToken ct = default) =>
        dialect.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, """
            INSERT INTO pipelines (name, yaml, hash, updated_at, updated_by) VALUES (@n, @y, @h, @t, @u)
            ON CONFLICT (name) DO UPDATE SET yaml = excluded.yaml, hash = excluded.hash, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, ct, ("n", pipeline.Name), ("y", pipeline.Yaml), ("h", pipeline.Hash), ("t", pipeline.UpdatedAt), ("u", pipeline.UpdatedBy)), ct);

    public async Task<PipelineDefinition?> GetAsync(string name, CancellationToken ct = default) =>
        (await ReadPipelinesAsync("WHERE name = @n", ct, ("n", name))).FirstOrDefault();

    public Task<IReadOnlyList<PipelineDefinition>> ListAsync(CancellationToken ct = default) => ReadPipelinesAsync("", ct);

    public async Task<bool> DeleteAsync(string name, CancellationToken ct = default) =>
        await dialect.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, "DELETE FROM pipelines WHERE name = @n", ct, ("n", name)), ct) > 0;

    public Task CreateRunAsync(PipelineRun run, IReadOnlyList<StepRun> steps, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, $"INSERT INTO pipeline_runs ({RunColumns}) VALUES (@id, @p, @s, @tk, @c, @pj, @y, @f, @u, @ca, @sa, @fa, @e, @tr)", ct, RunArgs(run));
            for (var i = 0; i < steps.Count; i++)
            {
                await connection.ExecuteAsync(transaction, $"""
                    INSERT INTO pipeline_steps ({StepColumns}, position)
                    VALUES (@run, @step, @s, @a, @fl, @l, @r, @w, @lu, @sa, @fa, @o, @k, @cf, @e, @tr, @pos)
                    """, ct, [.. StepArgs(steps[i]), ("pos", i)]);
            }
            return 0;
        }, ct);

    public async Task<PipelineRun?> GetRunAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        return (await ReadRunsAsync(connection, null, "WHERE id = @id", ct, ("id", id))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? pipeline, IReadOnlyList<string>? statuses, int max, CancellationToken ct = default)
    {
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (pipeline is not null)
        {
            where.Add("pipeline = @p");
            args.Add(("p", pipeline));
        }
        if (statuses is { Count: > 0 })
        {
            where.Add(dialect.InStringSet("status", "@st"));
            args.Add(("st", dialect.StringSet(statuses)));
        }
        await using var connection = await dialect.OpenAsync(ct);
        return await ReadRunsAsync(connection, null, $"{(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created_at DESC, id LIMIT {Math.Clamp(max, 1, 10_000)}",
            ct, [.. args]);
    }

    public async Task<IReadOnlyList<StepRun>> StepsAsync(string runId, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        return await ReadStepsAsync(connection, null, "WHERE run_id = @run ORDER BY position", ct, ("run", runId));
    }

    public Task<StepCacheEntry?> GetCachedAsync(string key, CancellationToken ct = default) => ReadCachedAsync(key, ct);

    public async Task<IReadOnlyDictionary<string, string>> TriggerMarksAsync(string pipeline, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT trigger_key, watermark FROM pipeline_triggers WHERE pipeline = @p");
        command.Add("p", pipeline);
        var marks = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            marks[reader.GetString(0)] = reader.GetString(1);
        }
        return marks;
    }

    public async Task<bool> AdvanceTriggerAsync(string pipeline, string key, string? expected, string next, CancellationToken ct = default) =>
        await dialect.WriteAsync((connection, transaction) => expected is null
            ? connection.ExecuteAsync(transaction, "INSERT INTO pipeline_triggers (pipeline, trigger_key, watermark) VALUES (@p, @k, @n) ON CONFLICT (pipeline, trigger_key) DO NOTHING",
                ct, ("p", pipeline), ("k", key), ("n", next))
            : connection.ExecuteAsync(transaction, "UPDATE pipeline_triggers SET watermark = @n WHERE pipeline = @p AND trigger_key = @k AND watermark = @e",
                ct, ("p", pipeline), ("k", key), ("n", next), ("e", expected)), ct) == 1;

    public Task PutCachedAsync(StepCacheEntry entry, CancellationToken ct = default) =>
        dialect.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, """
            INSERT INTO pipeline_step_cache (cache_key, pipeline, step, outputs_json, run_id, tracking_run_id, created_at) VALUES (@k, @p, @s, @o, @r, @tr, @t)
            ON CONFLICT (cache_key) DO UPDATE SET pipeline = excluded.pipeline, step = excluded.step, outputs_json = excluded.outputs_json, run_id = excluded.run_id,
                tracking_run_id = excluded.tracking_run_id, created_at = excluded.created_at
            """, ct, ("k", entry.Key), ("p", entry.Pipeline), ("s", entry.Step), ("o", JsonSerializer.Serialize(entry.Outputs, Json)), ("r", entry.RunId),
            ("tr", entry.TrackingRunId), ("t", entry.CreatedAt)), ct);

    private async Task<StepCacheEntry?> ReadCachedAsync(string key, CancellationToken ct)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT cache_key, pipeline, step, outputs_json, run_id, tracking_run_id, created_at FROM pipeline_step_cache WHERE cache_key = @k");
        command.Add("k", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StepCacheEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), Outputs(reader.GetString(3)), reader.GetString(4), reader.NullableString(5), reader.GetInt64(6))
            : null;
    }

    private async Task<IReadOnlyList<PipelineDefinition>> ReadPipelinesAsync(string where, CancellationToken ct, params (string, object?)[] args)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"SELECT name, yaml, hash, updated_at, updated_by FROM pipelines {where} ORDER BY name");
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var list = new List<PipelineDefinition>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new PipelineDefinition(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
        }
        return list;
    }

    private static async Task<List<PipelineRun>> ReadRunsAsync(DbConnection connection, DbTransaction? transaction, string tail, CancellationToken ct, params (string, object?)[] args)
    {
        await using var command = connection.Command(transaction, $"SELECT {RunColumns} FROM pipeline_runs {tail}");
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var list = new List<PipelineRun>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new PipelineRun(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.NullableString(4), Outputs(reader.GetString(5)),
                reader.GetString(6), reader.GetInt64(7) != 0, reader.GetString(8), reader.GetInt64(9), reader.NullableInt64(10), reader.NullableInt64(11), reader.NullableString(12),
                reader.NullableString(13)));
        }
        return list;
    }

    private static async Task<List<StepRun>> ReadStepsAsync(DbConnection connection, DbTransaction? transaction, string tail, CancellationToken ct, params (string, object?)[] args)
    {
        await using var command = connection.Command(transaction, $"SELECT {StepColumns} FROM pipeline_steps {tail}");
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var list = new List<StepRun>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadStep(reader));
        }
        return list;
    }

    private static StepRun ReadStep(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4), reader.GetString(5), reader.GetInt64(6),
            reader.NullableString(7), reader.NullableInt64(8), reader.NullableInt64(9), reader.NullableInt64(10), new StoredOutputs(reader.GetString(11)), reader.NullableString(12),
            reader.NullableString(13), reader.NullableString(14), reader.NullableString(15));

    private static Dictionary<string, string> Outputs(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? [];

    private static (string, object?)[] RunArgs(PipelineRun run) =>
    [
        ("id", run.Id), ("p", run.Pipeline), ("s", run.Status), ("tk", run.Trigger), ("c", run.Cause), ("pj", JsonSerializer.Serialize(run.Params, Json)), ("y", run.SpecYaml),
        ("f", run.Force ? 1L : 0L), ("u", run.User), ("ca", run.CreatedAt), ("sa", run.StartedAt), ("fa", run.FinishedAt), ("e", run.Error), ("tr", run.TrackingRunId),
    ];

    private static (string, object?)[] StepArgs(StepRun step) =>
    [
        ("run", step.RunId), ("step", step.Step), ("s", step.Status), ("a", (long)step.Attempt), ("fl", (long)step.Failures), ("l", step.Labels), ("r", step.ReadyAt),
        ("w", step.Worker), ("lu", step.LeaseUntil), ("sa", step.StartedAt), ("fa", step.FinishedAt), ("o", step.Outputs is StoredOutputs stored ? stored.Json : JsonSerializer.Serialize(step.Outputs, Json)), ("k", step.CacheKey),
        ("cf", step.CachedFrom), ("e", step.Error), ("tr", step.TrackingRunId),
    ];
}
