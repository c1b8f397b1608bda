using System.Data.Common;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Storage.Sql.Registry;

public sealed partial class SqlRegistryStore
{
    private const string EventColumns = "id, name, alias, version, previous_version, event_time, user_id, action, reason";

    public Task<AliasEvent> SetAliasAsync(string name, string alias, int version, AliasChange change, long time, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, ct);
            await LockModelAsync(connection, transaction, name, ct);
            var previous = await CurrentAsync(connection, transaction, name, alias, ct);
            Expect(name, alias, previous, change);
            await connection.ExecuteAsync(transaction, """
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (@n, @a, @v)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
                """, ct, ("n", name), ("a", alias), ("v", version));
            return await RecordAsync(connection, transaction, name, alias, version, previous, change, time, ct);
        }, ct);

    public Task<AliasEvent?> DeleteAliasAsync(string name, string alias, AliasChange change, long time, CancellationToken ct = default) =>
        dialect.WriteAsync<AliasEvent?>(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, ct);
            await LockModelAsync(connection, transaction, name, ct);
            var previous = await CurrentAsync(connection, transaction, name, alias, ct);
            Expect(name, alias, previous, change);
            if (previous is null)
            {
                return null; // nothing to remove: not an error (MLflow's rule), and nothing to record
            }
            await connection.ExecuteAsync(transaction, "DELETE FROM registered_model_aliases WHERE name = @n AND alias = @a", ct, ("n", name), ("a", alias));
            return await RecordAsync(connection, transaction, name, alias, null, previous, change, time, ct);
        }, ct);

    public async Task<ModelVersion> GetVersionByAliasAsync(string name, string alias, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var versions = await ReadVersionsAsync(connection,
            "WHERE v.name = @n AND v.version = (SELECT a.version FROM registered_model_aliases a WHERE a.name = @n AND a.alias = @a)", [("n", name), ("a", alias)], ct);
        if (versions.Count == 1)
        {
            return versions[0];
        }
        throw AliasNotFound(alias);
    }

    public async Task<IReadOnlyList<AliasEvent>> AliasHistoryAsync(string name, string? alias, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await RequireModelAsync(connection, null, name, ct);
        var events = new List<AliasEvent>();
        await using var command = alias is null
            ? Command(connection, $"SELECT {EventColumns} FROM model_alias_events WHERE name = @n ORDER BY id", [("n", name)])
            : Command(connection, $"SELECT {EventColumns} FROM model_alias_events WHERE name = @n AND alias = @a ORDER BY id", [("n", name), ("a", alias)]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(ReadEvent(reader));
        }
        return events;
    }

    /// <summary>Locks the model's row (a write that changes nothing): two moves of one model's aliases serialise here, so a compare-and-set sees the winner's write.</summary>
    private static Task<int> LockModelAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken ct) =>
        connection.ExecuteAsync(transaction, "UPDATE registered_models SET last_version = last_version WHERE name = @n", ct, ("n", name));

    private static async Task<int?> CurrentAsync(DbConnection connection, DbTransaction transaction, string name, string alias, CancellationToken ct) =>
        await connection.ScalarAsync(transaction, "SELECT version FROM registered_model_aliases WHERE name = @n AND alias = @a", ct, ("n", name), ("a", alias)) is { } v
            ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
            : null;

    private static void Expect(string name, string alias, int? current, AliasChange change)
    {
        if (change.ExpectedVersion is { } expected && (current ?? 0) != expected)
        {
            throw KilnException.Conflict(
                $"Alias '{alias}' of model '{name}' moved meanwhile: it points at {(current is null ? "no version" : $"version {current}")}, not " +
                $"{(expected == 0 ? "no version" : $"version {expected}")} as this change expected. Look at it again (kiln models history {name}) and retry if still wanted.");
        }
    }

    private async Task<AliasEvent> RecordAsync(DbConnection connection, DbTransaction transaction, string name, string alias, int? version, int? previous,
        AliasChange change, long time, CancellationToken ct)
    {
        await AuditAsync(connection, transaction, version is null ? "model.alias.delete" : "model.alias.set", $"models/{name}/aliases/{alias}",
            previous is null ? null : new { version = previous }, version is null ? null : new { version, action = change.Action, reason = change.Reason }, ct, change.UserId);
        await NotifyAsync(connection, transaction, Kiln.Core.Webhooks.WebhookEvents.AliasMoved, name,
            new { alias, version, previous_version = previous, action = change.Action, reason = change.Reason }, ct);
        var id = await connection.ScalarAsync(transaction, $"""
            INSERT INTO model_alias_events (name, alias, version, previous_version, event_time, user_id, action, reason)
            VALUES (@n, @a, @v, @p, @t, @u, @act, @r){dialect.Returning("id")}
            """, ct, ("n", name), ("a", alias), ("v", version), ("p", previous), ("t", time), ("u", change.UserId), ("act", change.Action), ("r", change.Reason));
        return new AliasEvent(Convert.ToInt64(id, CultureInfo.InvariantCulture), name, alias, version, previous, time, change.UserId, change.Action, change.Reason);
    }

    private static AliasEvent ReadEvent(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
        reader.IsDBNull(4) ? null : Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture),
        reader.GetInt64(5), reader.GetString(6), reader.GetString(7), reader.NullableString(8));

    // MLflow answers an unknown alias with INVALID_PARAMETER_VALUE (400), not 404; its clients expect that code
    private static KilnException AliasNotFound(string alias) => KilnException.Invalid($"Registered model alias {alias} not found.");
}
