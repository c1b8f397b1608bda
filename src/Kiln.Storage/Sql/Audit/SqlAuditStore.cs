using System.Data.Common;
using Kiln.Core.Audit;

namespace Kiln.Storage.Sql.Audit;

/// <summary>Reads and verifies the audit log (writes happen inside the feature stores' transactions, through <see cref="AuditLog"/>).</summary>
public sealed class SqlAuditStore(SqlDialect dialect) : IAuditStore
{
    private const string Columns = "id, at, user_id, action, resource, before_json, after_json, prev_hash, hash";

    /// <summary>Migration 8: the audit log.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE audit_log (
            id {t.IdentityPrimaryKey},
            at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            action TEXT NOT NULL,
            resource TEXT NOT NULL,
            before_json TEXT,
            after_json TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE INDEX ix_audit_log_resource ON audit_log (resource, id);
        """;

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? resource, long? since, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var where = new List<string>();
        await using var command = connection.Command(null, "");
        if (resource is not null)
        {
            where.Add("(resource = @r OR resource LIKE @prefix)");
            command.Add("r", resource);
            command.Add("prefix", resource.Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "/%");
        }
        if (since is not null)
        {
            where.Add("at >= @since");
            command.Add("since", since);
        }
        command.CommandText = $"SELECT {Columns} FROM audit_log {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} ORDER BY id LIMIT {Math.Clamp(limit, 1, 100_000)}";
        if (resource is not null)
        {
            command.CommandText = command.CommandText.Replace("LIKE @prefix", "LIKE @prefix ESCAPE '\\'", StringComparison.Ordinal);
        }
        return await ReadAsync(command, ct);
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"SELECT {Columns} FROM audit_log ORDER BY id");
        var problems = new List<string>();
        var previous = AuditLog.Genesis;
        long count = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var e = Read(reader);
            count++;
            if (e.PreviousHash != previous)
            {
                problems.Add($"Entry {e.Id} ({e.Action} {e.Resource}) links to {Short(e.PreviousHash)}, but the entry before it hashes to {Short(previous)}: an entry before it was deleted or edited.");
            }
            var expected = AuditLog.Hash(e);
            if (e.Hash != expected)
            {
                problems.Add($"Entry {e.Id} ({e.Action} {e.Resource}, {DateTimeOffset.FromUnixTimeMilliseconds(e.Time):u}) does not match its hash: it was edited.");
            }
            previous = e.Hash;
        }
        return new AuditVerification(count, previous, problems);
    }

    private static async Task<List<AuditEntry>> ReadAsync(DbCommand command, CancellationToken ct)
    {
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(Read(reader));
        }
        return entries;
    }

    private static AuditEntry Read(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.NullableString(5), r.NullableString(6), r.GetString(7), r.GetString(8));

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
