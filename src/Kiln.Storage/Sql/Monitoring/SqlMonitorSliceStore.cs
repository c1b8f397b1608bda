using Kiln.Core.Monitoring;

namespace Kiln.Storage.Sql.Monitoring;

/// <summary>Monitoring slices on SQLite or PostgreSQL, keyed by (deployment, route, end) so each is written once.</summary>
public sealed class SqlMonitorSliceStore(SqlDialect dialect) : IMonitorSliceStore
{
    /// <summary>Migration 14: monitoring slices.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE monitor_slices (
            deployment TEXT NOT NULL,
            route TEXT NOT NULL,
            slice_start {t.BigInt} NOT NULL,
            slice_end {t.BigInt} NOT NULL,
            rows_summarised INTEGER NOT NULL,
            summary TEXT NOT NULL,
            PRIMARY KEY (deployment, route, slice_end));
        """;

    public Task<bool> SaveAsync(MonitorSlice slice, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction, """
            INSERT INTO monitor_slices (deployment, route, slice_start, slice_end, rows_summarised, summary) VALUES (@d, @r, @s, @e, @n, @j)
            ON CONFLICT (deployment, route, slice_end) DO NOTHING
            """, ct, ("d", slice.Deployment), ("r", slice.Route), ("s", slice.Start), ("e", slice.End), ("n", slice.Rows), ("j", slice.Summary)) > 0, ct);

    public async Task<long?> LastEndAsync(string deployment, string route, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var value = await connection.ScalarAsync(null, "SELECT MAX(slice_end) FROM monitor_slices WHERE deployment = @d AND route = @r", ct, ("d", deployment), ("r", route));
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<MonitorSlice>> ReadAsync(string deployment, string route, long from, long to, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, """
            SELECT slice_start, slice_end, rows_summarised, summary FROM monitor_slices
            WHERE deployment = @d AND route = @r AND slice_start >= @f AND slice_end <= @t ORDER BY slice_end
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("f", from);
        command.Add("t", to);
        var slices = new List<MonitorSlice>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            slices.Add(new MonitorSlice(deployment, route, reader.GetInt64(0), reader.GetInt64(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(3)));
        }
        return slices;
    }
}
