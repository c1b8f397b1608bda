using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Registry;

/// <summary>
/// The model registry on SQLite or PostgreSQL (partials: <c>.Versions</c>, <c>.Aliases</c>, <c>.Search</c>). Every write is
/// one transaction; version numbers come from the model row (<c>last_version</c>, incremented under its row lock), so
/// two registrations at once get two numbers and a deleted number is never given again.
/// </summary>
public sealed partial class SqlRegistryStore(SqlDialect dialect, TimeProvider clock) : IRegistryStore
{
    /// <summary>Appends to the audit log in the caller's transaction.</summary>
    private Task AuditAsync(DbConnection connection, DbTransaction transaction, string action, string resource, object? before, object? after, CancellationToken ct,
        string? user = null) =>
        Audit.AuditLog.AppendAsync(connection, transaction, dialect, clock, action, resource, before, after, ct, user);

    private static string Resource(string name) => "models/" + name;

    /// <summary>Queues a webhook event for the subscriptions that want it, in the caller's transaction (the outbox).</summary>
    private Task NotifyAsync(DbConnection connection, DbTransaction transaction, string eventName, string model, object payload, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var body = System.Text.Json.JsonSerializer.Serialize(new { @event = eventName, model, time = now, user = Kiln.Core.Audit.AuditContext.User, data = payload });
        return Webhooks.SqlWebhookStore.EnqueueAsync(connection, transaction, eventName, model, body, now, ct);
    }

    public async Task<RegisteredModel> CreateModelAsync(string name, string? description, IReadOnlyDictionary<string, string> tags, long time, CancellationToken ct = default)
    {
        try
        {
            await dialect.WriteAsync(async (connection, transaction) =>
            {
                var inserted = await connection.ExecuteAsync(transaction,
                    "INSERT INTO registered_models (name, creation_time, last_updated_time, description, last_version) VALUES (@n, @t, @t, @d, 0) ON CONFLICT (name) DO NOTHING",
                    ct, ("n", name), ("t", time), ("d", description));
                if (inserted == 0)
                {
                    throw ModelExists(name);
                }
                foreach (var (key, value) in tags)
                {
                    await UpsertModelTagAsync(connection, transaction, name, key, value, ct);
                }
                await AuditAsync(connection, transaction, "model.create", Resource(name), null, new { description, tags }, ct);
                return 0;
            }, ct);
        }
        catch (Exception e) when (dialect.IsUniqueViolation(e))
        {
            throw ModelExists(name);
        }
        return await GetModelAsync(name, ct);
    }

    public async Task<RegisteredModel> GetModelAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var models = await ReadModelsAsync(connection, "WHERE m.name = @n", [("n", name)], ct);
        return models.Count == 1 ? models[0] : throw ModelNotFound(name);
    }

    public async Task<RegisteredModel> RenameModelAsync(string name, string newName, long time, CancellationToken ct = default)
    {
        try
        {
            await dialect.WriteAsync(async (connection, transaction) =>
            {
                await RequireModelAsync(connection, transaction, name, ct);
                if (await connection.ScalarAsync(transaction, "SELECT 1 FROM registered_models WHERE name = @n", ct, ("n", newName)) is not null)
                {
                    throw ModelExists(newName);
                }
                // ON UPDATE CASCADE carries versions, tags, aliases and alias history to the new name
                await connection.ExecuteAsync(transaction, "UPDATE registered_models SET name = @new, last_updated_time = @t WHERE name = @n", ct,
                    ("new", newName), ("t", time), ("n", name));
                await AuditAsync(connection, transaction, "model.rename", Resource(name), new { name }, new { name = newName }, ct);
                return 0;
            }, ct);
        }
        catch (Exception e) when (dialect.IsUniqueViolation(e))
        {
            throw ModelExists(newName);
        }
        return await GetModelAsync(newName, ct);
    }

    public async Task<RegisteredModel> UpdateModelAsync(string name, string? description, long time, CancellationToken ct = default)
    {
        await dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT description FROM registered_models WHERE name = @n", ct, ("n", name)) as string;
            await connection.ExecuteAsync(transaction, "UPDATE registered_models SET description = @d, last_updated_time = @t WHERE name = @n", ct,
                ("d", description), ("t", time), ("n", name));
            await AuditAsync(connection, transaction, "model.update", Resource(name), new { description = old }, new { description }, ct);
            return 0;
        }, ct);
        return await GetModelAsync(name, ct);
    }

    public Task DeleteModelAsync(string name, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, ct);
            var versions = await connection.ScalarAsync(transaction, "SELECT COUNT(*) FROM model_versions WHERE name = @n", ct, ("n", name));
            await connection.ExecuteAsync(transaction, "DELETE FROM registered_models WHERE name = @n", ct, ("n", name));
            await AuditAsync(connection, transaction, "model.delete", Resource(name), new { name, versions = Convert.ToInt64(versions, System.Globalization.CultureInfo.InvariantCulture) }, null, ct);
            return 0;
        }, ct);

    public Task SetModelTagAsync(string name, string key, string value, long time, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM registered_model_tags WHERE name = @n AND tag_key = @k", ct, ("n", name), ("k", key)) as string;
            await UpsertModelTagAsync(connection, transaction, name, key, value, ct);
            await AuditAsync(connection, transaction, "model.tag.set", Resource(name), old is null ? null : new { key, value = old }, new { key, value }, ct);
            return 0;
        }, ct);

    public Task DeleteModelTagAsync(string name, string key, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, ct);
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM registered_model_tags WHERE name = @n AND tag_key = @k", ct, ("n", name), ("k", key)) as string;
            if (old is not null)
            {
                await connection.ExecuteAsync(transaction, "DELETE FROM registered_model_tags WHERE name = @n AND tag_key = @k", ct, ("n", name), ("k", key));
                await AuditAsync(connection, transaction, "model.tag.delete", Resource(name), new { key, value = old }, null, ct);
            }
            return 0;
        }, ct);

    private static Task<int> UpsertModelTagAsync(DbConnection connection, DbTransaction transaction, string name, string key, string value, CancellationToken ct) =>
        connection.ExecuteAsync(transaction,
            "INSERT INTO registered_model_tags (name, tag_key, tag_value) VALUES (@n, @k, @v) ON CONFLICT (name, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            ct, ("n", name), ("k", key), ("v", value));

    private static async Task RequireModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken ct)
    {
        if (await connection.ScalarAsync(transaction, "SELECT 1 FROM registered_models WHERE name = @n", ct, ("n", name)) is null)
        {
            throw ModelNotFound(name);
        }
    }

    internal static KilnException ModelNotFound(string name) => KilnException.NotFound($"Registered Model with name={name} not found");

    private static KilnException ModelExists(string name) => KilnException.AlreadyExists($"Registered Model (name={name}) already exists.");

    internal static KilnException VersionNotFound(string name, int version) => KilnException.NotFound($"Model Version (name={name}, version={version}) not found");

    /// <summary>Registered models (with tags, aliases and latest versions) matching a WHERE/ORDER/LIMIT tail over <c>registered_models m</c>.</summary>
    private static async Task<List<RegisteredModel>> ReadModelsAsync(DbConnection connection, string tail, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        var rows = new List<(string Name, long Created, long Updated, string? Description)>();
        await using (var command = Command(connection, $"SELECT m.name, m.creation_time, m.last_updated_time, m.description FROM registered_models m {tail}", args))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.NullableString(3)));
            }
        }
        if (rows.Count == 0)
        {
            return [];
        }
        var page = $"SELECT m.name FROM registered_models m {tail}";
        var tags = await ReadPairsAsync(connection, $"SELECT t.name, t.tag_key, t.tag_value FROM registered_model_tags t WHERE t.name IN ({page})", args, ct);
        var aliases = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        await using (var command = Command(connection, $"SELECT a.name, a.alias, a.version FROM registered_model_aliases a WHERE a.name IN ({page}) ORDER BY a.alias", args))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                if (!aliases.TryGetValue(name, out var map))
                {
                    aliases[name] = map = new Dictionary<string, int>(StringComparer.Ordinal);
                }
                map[reader.GetString(1)] = Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        // the newest version per (model, stage): one grouped pass over the index on (name, current_stage, version)
        var latest = await ReadVersionsAsync(connection, $"""
            JOIN (SELECT w.name AS latest_name, MAX(w.version) AS latest_version FROM model_versions w WHERE w.name IN ({page}) GROUP BY w.name, w.current_stage) l
              ON l.latest_name = v.name AND l.latest_version = v.version
            ORDER BY v.name, v.version
            """, args, ct);
        var latestByModel = latest.ToLookup(v => v.Name, StringComparer.Ordinal);
        return [.. rows.Select(r => new RegisteredModel(r.Name, r.Created, r.Updated, r.Description,
            tags.TryGetValue(r.Name, out var t) ? t : Empty,
            aliases.TryGetValue(r.Name, out var a) ? a : new Dictionary<string, int>(),
            [.. latestByModel[r.Name]]))];
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static DbCommand Command(DbConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> args)
    {
        var command = connection.Command(null, sql);
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        return command;
    }

    /// <summary>Reads (owner, key, value) rows into owner → key → value.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> ReadPairsAsync(DbConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var owner = reader.GetString(0);
            if (!result.TryGetValue(owner, out var map))
            {
                result[owner] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            }
            map[reader.GetString(1)] = reader.GetString(2);
        }
        return result;
    }

    private static Page<T> ToPage<T>(List<T> items, RegistryQuery query)
    {
        // one row more than the page was read: it tells whether there is a next page
        if (items.Count > query.MaxResults)
        {
            items.RemoveAt(items.Count - 1);
            return new Page<T>(items, Core.Search.PageToken.Create(query.Offset + query.MaxResults));
        }
        return new Page<T>(items, null);
    }
}
