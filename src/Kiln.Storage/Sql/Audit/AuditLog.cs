using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kiln.Core.Audit;

namespace Kiln.Storage.Sql.Audit;

/// <summary>
/// Appends to the audit log inside the caller's transaction, so an entry exists exactly when its change does. Appends are
/// serialised (SQLite's single writer; a transaction-scoped advisory lock on PostgreSQL) so each entry can carry the
/// hash of the one before: a chain that <see cref="SqlAuditStore.VerifyAsync"/> recomputes.
/// </summary>
internal static class AuditLog
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static async Task AppendAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, long time, string action, string resource,
        string? before, string? after, CancellationToken ct, string? user = null)
    {
        if (dialect.Name == "postgresql")
        {
            await connection.ExecuteAsync(transaction, "SELECT pg_advisory_xact_lock(72770001)", ct);
        }
        var previous = await connection.ScalarAsync(transaction, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", ct) as string ?? Genesis;
        user ??= AuditContext.User;
        var id = Convert.ToInt64(await connection.ScalarAsync(transaction, $"""
            INSERT INTO audit_log (at, user_id, action, resource, before_json, after_json, prev_hash, hash) VALUES (@t, @u, @a, @r, @b, @af, @p, '')
            {dialect.Returning("id")}
            """, ct, ("t", time), ("u", user), ("a", action), ("r", resource), ("b", before), ("af", after), ("p", previous)), CultureInfo.InvariantCulture);
        await connection.ExecuteAsync(transaction, "UPDATE audit_log SET hash = @h WHERE id = @id", ct,
            ("h", Hash(new AuditEntry(id, time, user, action, resource, before, after, previous, ""))), ("id", id));
    }

    /// <summary>Appends with the states given as objects (serialised to JSON) and the time from <paramref name="clock"/>.</summary>
    /// <remarks><paramref name="user"/>: who made the change when the caller knows it (a move's user); else <see cref="AuditContext.User"/>.</remarks>
    public static Task AppendAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, TimeProvider clock, string action, string resource,
        object? before, object? after, CancellationToken ct, string? user = null) =>
        AppendAsync(connection, transaction, dialect, clock.GetUtcNow().ToUnixTimeMilliseconds(), action, resource,
            before is null ? null : System.Text.Json.JsonSerializer.Serialize(before), after is null ? null : System.Text.Json.JsonSerializer.Serialize(after), ct, user);

    /// <summary>SHA-256 (hex) over the previous hash and every field, each length-prefixed so no two entries hash alike by shifting text between fields.</summary>
    public static string Hash(AuditEntry e)
    {
        var text = new StringBuilder();
        foreach (var field in new[] { e.PreviousHash, e.Id.ToString(CultureInfo.InvariantCulture), e.Time.ToString(CultureInfo.InvariantCulture), e.UserId, e.Action, e.Resource, e.Before, e.After })
        {
            text.Append(field is null ? "-1" : field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
