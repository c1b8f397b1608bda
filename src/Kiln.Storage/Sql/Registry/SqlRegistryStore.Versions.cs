using System.Data.Common;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Storage.Sql.Registry;

public sealed partial class SqlRegistryStore
{
    private const string VersionColumns =
        "v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source, v.run_id, v.run_link, v.status, v.status_message";

    public async Task<ModelVersion> CreateVersionAsync(NewModelVersion version, long time, CancellationToken ct = default)
    {
        var number = await dialect.WriteAsync(async (connection, transaction) =>
        {
            // the model row's counter, incremented under its row lock: concurrent registrations get distinct numbers
            var next = await connection.ScalarAsync(transaction,
                $"UPDATE registered_models SET last_version = last_version + 1, last_updated_time = @t WHERE name = @n{dialect.Returning("last_version")}", ct,
                ("t", time), ("n", version.Name)) ?? throw ModelNotFound(version.Name);
            var number = Convert.ToInt32(next, CultureInfo.InvariantCulture);
            await connection.ExecuteAsync(transaction, """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, run_link, status, status_message)
                VALUES (@n, @v, @t, @t, @d, @u, 'None', @s, @r, @l, 'READY', NULL)
                """, ct, ("n", version.Name), ("v", number), ("t", time), ("d", version.Description), ("u", version.UserId), ("s", version.Source),
                ("r", version.RunId), ("l", version.RunLink));
            foreach (var (key, value) in version.Tags)
            {
                await UpsertVersionTagAsync(connection, transaction, version.Name, number, key, value, ct);
            }
            await AuditAsync(connection, transaction, "model.version.create", VersionResource(version.Name, number), null,
                new { source = version.Source, run_id = version.RunId, description = version.Description, tags = version.Tags }, ct, version.UserId);
            await NotifyAsync(connection, transaction, Kiln.Core.Webhooks.WebhookEvents.VersionCreated, version.Name,
                new { version = number, source = version.Source, run_id = version.RunId }, ct);
            return number;
        }, ct);
        return await GetVersionAsync(version.Name, number, ct);
    }

    public async Task<ModelVersion> GetVersionAsync(string name, int version, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var versions = await ReadVersionsAsync(connection, "WHERE v.name = @n AND v.version = @v", [("n", name), ("v", version)], ct);
        return versions.Count == 1 ? versions[0] : throw VersionNotFound(name, version);
    }

    public async Task<ModelVersion> UpdateVersionAsync(string name, int version, string? description, long time, CancellationToken ct = default)
    {
        await dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT description FROM model_versions WHERE name = @n AND version = @v", ct, ("n", name), ("v", version)) as string;
            await connection.ExecuteAsync(transaction, "UPDATE model_versions SET description = @d, last_updated_time = @t WHERE name = @n AND version = @v", ct,
                ("d", description), ("t", time), ("n", name), ("v", version));
            await AuditAsync(connection, transaction, "model.version.update", VersionResource(name, version), new { description = old }, new { description }, ct);
            return 0;
        }, ct);
        return await GetVersionAsync(name, version, ct);
    }

    public async Task<ModelVersion> TransitionStageAsync(string name, int version, string stage, bool archiveExisting, long time, CancellationToken ct = default)
    {
        await dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            var oldStage = await connection.ScalarAsync(transaction, "SELECT current_stage FROM model_versions WHERE name = @n AND version = @v", ct, ("n", name), ("v", version)) as string;
            await AuditAsync(connection, transaction, "model.version.stage", VersionResource(name, version), new { stage = oldStage }, new { stage, archive_existing = archiveExisting }, ct);
            if (archiveExisting && stage is not ("Staging" or "Production"))
            {
                throw KilnException.Invalid(
                    $"Model version transition cannot archive existing model versions because '{stage}' is not an Active stage. Valid stages are ['Staging', 'Production']");
            }
            if (archiveExisting)
            {
                await connection.ExecuteAsync(transaction,
                    "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = @t WHERE name = @n AND version <> @v AND current_stage = @s", ct,
                    ("t", time), ("n", name), ("v", version), ("s", stage));
            }
            await connection.ExecuteAsync(transaction, "UPDATE model_versions SET current_stage = @s, last_updated_time = @t WHERE name = @n AND version = @v", ct,
                ("s", stage), ("t", time), ("n", name), ("v", version));
            return await connection.ExecuteAsync(transaction, "UPDATE registered_models SET last_updated_time = @t WHERE name = @n", ct, ("t", time), ("n", name));
        }, ct);
        return await GetVersionAsync(name, version, ct);
    }

    public Task DeleteVersionAsync(string name, int version, string userId, long time, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            // the aliases that pointed at it go with it (cascade); their history says so
            await connection.ExecuteAsync(transaction, """
                INSERT INTO model_alias_events (name, alias, version, previous_version, event_time, user_id, action, reason)
                SELECT a.name, a.alias, NULL, a.version, @t, @u, 'delete-version', NULL FROM registered_model_aliases a WHERE a.name = @n AND a.version = @v
                """, ct, ("t", time), ("u", userId), ("n", name), ("v", version));
            var source = await connection.ScalarAsync(transaction, "SELECT source FROM model_versions WHERE name = @n AND version = @v", ct, ("n", name), ("v", version)) as string;
            await connection.ExecuteAsync(transaction, "DELETE FROM model_versions WHERE name = @n AND version = @v", ct, ("n", name), ("v", version));
            await AuditAsync(connection, transaction, "model.version.delete", VersionResource(name, version), new { source }, null, ct);
            return await connection.ExecuteAsync(transaction, "UPDATE registered_models SET last_updated_time = @t WHERE name = @n", ct, ("t", time), ("n", name));
        }, ct);

    public Task SetVersionTagAsync(string name, int version, string key, string value, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM model_version_tags WHERE name = @n AND version = @v AND tag_key = @k", ct,
                ("n", name), ("v", version), ("k", key)) as string;
            await UpsertVersionTagAsync(connection, transaction, name, version, key, value, ct);
            await AuditAsync(connection, transaction, "model.version.tag.set", VersionResource(name, version), old is null ? null : new { key, value = old }, new { key, value }, ct);
            return 0;
        }, ct);

    public Task DeleteVersionTagAsync(string name, int version, string key, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM model_version_tags WHERE name = @n AND version = @v AND tag_key = @k", ct,
                ("n", name), ("v", version), ("k", key)) as string;
            if (old is not null)
            {
                await connection.ExecuteAsync(transaction, "DELETE FROM model_version_tags WHERE name = @n AND version = @v AND tag_key = @k", ct, ("n", name), ("v", version), ("k", key));
                await AuditAsync(connection, transaction, "model.version.tag.delete", VersionResource(name, version), new { key, value = old }, null, ct);
            }
            return 0;
        }, ct);

    private static string VersionResource(string name, int version) => $"models/{name}/versions/{version}";

    private static Task<int> UpsertVersionTagAsync(DbConnection connection, DbTransaction transaction, string name, int version, string key, string value, CancellationToken ct) =>
        connection.ExecuteAsync(transaction, """
            INSERT INTO model_version_tags (name, version, tag_key, tag_value) VALUES (@n, @v, @k, @val)
            ON CONFLICT (name, version, tag_key) DO UPDATE SET tag_value = excluded.tag_value
            """, ct, ("n", name), ("v", version), ("k", key), ("val", value));

    private static async Task RequireVersionAsync(DbConnection connection, DbTransaction? transaction, string name, int version, CancellationToken ct)
    {
        // an unknown model is reported as an unknown version too, as MLflow does
        if (await connection.ScalarAsync(transaction, "SELECT 1 FROM model_versions WHERE name = @n AND version = @v", ct, ("n", name), ("v", version)) is null)
        {
            throw VersionNotFound(name, version);
        }
    }

    /// <summary>Versions (with tags and aliases) matching a WHERE/ORDER/LIMIT tail over <c>model_versions v</c>.</summary>
    private static async Task<List<ModelVersion>> ReadVersionsAsync(DbConnection connection, string tail, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        var rows = new List<ModelVersion>();
        await using (var command = Command(connection, $"SELECT {VersionColumns} FROM model_versions v {tail}", args))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new ModelVersion(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), reader.GetInt64(2), reader.GetInt64(3),
                    reader.NullableString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.NullableString(8), reader.NullableString(9),
                    reader.GetString(10), reader.NullableString(11), Empty, []));
            }
        }
        if (rows.Count == 0)
        {
            return rows;
        }
        // tags and aliases of exactly these versions: the same query as a subquery
        var page = $"SELECT v.name, v.version FROM model_versions v {tail}";
        var tags = new Dictionary<(string, int), Dictionary<string, string>>();
        var aliases = new Dictionary<(string, int), List<string>>();
        await using (var command = Command(connection,
            $"SELECT t.name, t.version, t.tag_key, t.tag_value FROM model_version_tags t JOIN ({page}) p ON p.name = t.name AND p.version = t.version", args))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = (reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));
                if (!tags.TryGetValue(id, out var map))
                {
                    tags[id] = map = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                map[reader.GetString(2)] = reader.GetString(3);
            }
        }
        await using (var command = Command(connection,
            $"SELECT a.name, a.version, a.alias FROM registered_model_aliases a JOIN ({page}) p ON p.name = a.name AND p.version = a.version ORDER BY a.alias", args))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = (reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));
                if (!aliases.TryGetValue(id, out var list))
                {
                    aliases[id] = list = [];
                }
                list.Add(reader.GetString(2));
            }
        }
        return [.. rows.Select(v => v with
        {
            Tags = tags.TryGetValue((v.Name, v.Version), out var t) ? t : Empty,
            Aliases = aliases.TryGetValue((v.Name, v.Version), out var a) ? a : [],
        })];
    }
}
