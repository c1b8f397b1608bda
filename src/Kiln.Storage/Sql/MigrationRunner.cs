using System.Data.Common;
using Kiln.Core.Errors;

namespace Kiln.Storage.Sql;

/// <summary>Applies the migrations not yet recorded in <c>schema_migrations</c>, in one transaction, with the dialect's type names.</summary>
internal static class MigrationRunner
{
    public static Task<int> ApplyAsync(SqlDialect dialect, IReadOnlyList<Migration> migrations, TimeProvider time, CancellationToken ct) => dialect.WriteAsync(async (connection, transaction) =>
    {
        if (dialect.MigrationLockSql is { } lockSql)
        {
            await connection.ExecuteAsync(transaction, lockSql, ct);
        }
        await connection.ExecuteAsync(transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", ct);
        var applied = await AppliedVersionsAsync(connection, transaction, ct);
        var known = migrations.Max(m => m.Version);
        if (applied.Count > 0 && applied.Max() > known)
        {
            throw KilnException.InvalidState(
                $"The {dialect.Name} store at {dialect.DisplayLocation} has schema version {applied.Max()}, newer than this Kiln knows ({known}). Upgrade Kiln to use it.");
        }
        var count = 0;
        foreach (var migration in migrations.OrderBy(m => m.Version))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }
            await connection.ExecuteAsync(transaction, migration.Sql(dialect.Types), ct);
            await connection.ExecuteAsync(transaction, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)", ct,
                ("v", migration.Version), ("n", migration.Name), ("t", time.GetUtcNow().ToUnixTimeMilliseconds()));
            count++;
        }
        return count;
    }, ct);

    private static async Task<HashSet<int>> AppliedVersionsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        var versions = new HashSet<int>();
        await using var command = connection.Command(transaction, "SELECT version FROM schema_migrations");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0)));
        }
        return versions;
    }
}
