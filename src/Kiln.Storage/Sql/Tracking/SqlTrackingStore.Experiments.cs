using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

public sealed partial class SqlTrackingStore
{
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        try
        {
            return await _dialect.WriteAsync(async (connection, transaction) =>
            {
                if (await connection.ScalarAsync(transaction, "SELECT 1 FROM experiments WHERE name = @n", ct, ("n", name)) is not null)
                {
                    throw ExperimentExists(name);
                }
                var now = Now();
                var id = Convert.ToInt64(await connection.ScalarAsync(transaction,
                    "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (@n, @loc, 'active', @t, @t)" + _dialect.Returning("experiment_id"),
                    ct, ("n", name), ("loc", artifactLocation ?? ""), ("t", now)));
                if (string.IsNullOrEmpty(artifactLocation))
                {
                    await connection.ExecuteAsync(transaction, "UPDATE experiments SET artifact_location = @loc WHERE experiment_id = @id", ct,
                        ("loc", ArtifactLocationFor(id)), ("id", id));
                }
                foreach (var tag in tags)
                {
                    await UpsertExperimentTagAsync(connection, transaction, id, tag, ct);
                }
                await Audit.AuditLog.AppendAsync(connection, transaction, _dialect, _context.Time, "experiment.create", $"experiments/{id}", null,
                    new { name, artifact_location = artifactLocation }, ct);
                return id.ToString();
            }, ct);
        }
        catch (Exception e) when (_dialect.IsUniqueViolation(e))
        {
            throw ExperimentExists(name);
        }
    }

    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default)
    {
        if (!TryParseExperimentId(experimentId, out var id))
        {
            throw ExperimentNotFound(experimentId);
        }
        var found = await QueryExperimentsAsync("WHERE e.experiment_id = @id", [("id", id)], ct);
        return found.Count == 1 ? found[0] : throw ExperimentNotFound(experimentId);
    }

    public async Task<Experiment?> FindExperimentByNameAsync(string name, CancellationToken ct = default)
    {
        var found = await QueryExperimentsAsync("WHERE e.name = @n", [("n", name)], ct);
        return found.Count == 1 ? found[0] : null;
    }

    public async Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default)
    {
        try
        {
            await _dialect.WriteAsync(async (connection, transaction) =>
            {
                var id = await RequireExperimentAsync(connection, transaction, experimentId, requireActive: true, ct);
                var other = await connection.ScalarAsync(transaction, "SELECT experiment_id FROM experiments WHERE name = @n", ct, ("n", newName));
                if (other is not null && Convert.ToInt64(other) != id)
                {
                    throw ExperimentExists(newName);
                }
                var old = await connection.ScalarAsync(transaction, "SELECT name FROM experiments WHERE experiment_id = @id", ct, ("id", id)) as string;
                await Audit.AuditLog.AppendAsync(connection, transaction, _dialect, _context.Time, "experiment.rename", $"experiments/{id}", new { name = old }, new { name = newName }, ct);
                return await connection.ExecuteAsync(transaction, "UPDATE experiments SET name = @n, last_update_time = @t WHERE experiment_id = @id", ct,
                    ("n", newName), ("t", Now()), ("id", id));
            }, ct);
        }
        catch (Exception e) when (_dialect.IsUniqueViolation(e))
        {
            throw ExperimentExists(newName);
        }
    }

    public Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            var id = await RequireExperimentAsync(connection, transaction, experimentId, requireActive: false, ct);
            if (id == 0 && stage == LifecycleStage.Deleted)
            {
                throw KilnException.Invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
            }
            var now = Now();
            await Audit.AuditLog.AppendAsync(connection, transaction, _dialect, _context.Time, stage == LifecycleStage.Deleted ? "experiment.delete" : "experiment.restore",
                $"experiments/{id}", null, new { lifecycle_stage = stage.WireName() }, ct);
            await connection.ExecuteAsync(transaction, "UPDATE experiments SET lifecycle_stage = @s, last_update_time = @t WHERE experiment_id = @id", ct,
                ("s", stage.WireName()), ("t", now), ("id", id));
            await connection.ExecuteAsync(transaction, "UPDATE runs SET lifecycle_stage = @s, deleted_time = @dt WHERE experiment_id = @id", ct,
                ("s", stage.WireName()), ("dt", stage == LifecycleStage.Deleted ? now : null), ("id", id));
            return 0;
        }, ct);

    public Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            var id = await RequireExperimentAsync(connection, transaction, experimentId, requireActive: true, ct);
            await UpsertExperimentTagAsync(connection, transaction, id, tag, ct);
            await Audit.AuditLog.AppendAsync(connection, transaction, _dialect, _context.Time, "experiment.tag.set", $"experiments/{id}", null, new { key = tag.Key, value = tag.Value }, ct);
            return 0;
        }, ct);

    private static Task<int> UpsertExperimentTagAsync(DbConnection connection, DbTransaction transaction, long id, Tag tag, CancellationToken ct) =>
        connection.ExecuteAsync(transaction,
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @k, @v) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            ct, ("id", id), ("k", tag.Key), ("v", tag.Value));

    private static async Task<long> RequireExperimentAsync(DbConnection connection, DbTransaction transaction, string experimentId, bool requireActive, CancellationToken ct)
    {
        if (!TryParseExperimentId(experimentId, out var id))
        {
            throw ExperimentNotFound(experimentId);
        }
        var stage = await connection.ScalarAsync(transaction, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = @id", ct, ("id", id)) as string
            ?? throw ExperimentNotFound(experimentId);
        if (requireActive && stage != "active")
        {
            throw KilnException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is {stage}. Restore it first (experiments/restore).");
        }
        return id;
    }

    private static KilnException ExperimentExists(string name) => KilnException.AlreadyExists($"Experiment '{name}' already exists.");

    private async Task<List<Experiment>> QueryExperimentsAsync(string whereAndOrder, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        await using var connection = await _dialect.OpenAsync(ct);
        var rows = new List<(long Id, string Name, string Location, string Stage, long Created, long Updated)>();
        await using (var command = connection.Command(null, $"SELECT {ExperimentColumns} FROM experiments e {whereAndOrder}"))
        {
            foreach (var (name, value) in args)
            {
                command.Add(name, value);
            }
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }
        var tags = new Dictionary<long, List<Tag>>();
        if (rows.Count > 0)
        {
            foreach (var chunk in rows.Select(r => r.Id).Chunk(500))
            {
                await using var command = connection.Command(null, $"SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ({string.Join(",", chunk)}) ORDER BY key");
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetInt64(0);
                    if (!tags.TryGetValue(id, out var list))
                    {
                        tags[id] = list = [];
                    }
                    list.Add(new Tag(reader.GetString(1), reader.GetString(2)));
                }
            }
        }
        return [.. rows.Select(r => new Experiment(r.Id.ToString(), r.Name, r.Location, LifecycleNames.ParseStage(r.Stage), r.Created, r.Updated,
            tags.TryGetValue(r.Id, out var t) ? t : []))];
    }
}
