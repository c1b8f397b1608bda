using Kiln.Core.Monitoring;

namespace Kiln.Storage.Sql.Monitoring;

/// <summary>Monitoring slices on SQLite or PostgreSQL, keyed by (deployment, route, start, end) so each is written once.</summary>
public sealed class SqlMonitorSliceStore(SqlDialect dialect) : IMonitorSliceStore
{
    /// <summary>Migration 14: monitoring slices, and an index of the labelled rows (a window's realised performance reads only
    /// those, a small share of a busy log).</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE monitor_slices (
            deployment TEXT NOT NULL,
            route TEXT NOT NULL,
            slice_start {t.BigInt} NOT NULL,
            slice_end {t.BigInt} NOT NULL,
            rows_summarised INTEGER NOT NULL,
            summary TEXT NOT NULL,
            PRIMARY KEY (deployment, route, slice_start, slice_end));
        CREATE INDEX ix_prediction_log_labelled ON prediction_log (deployment, route, at) WHERE label IS NOT NULL;
        """;

    public Task<bool> SaveAsync(MonitorSlice slice, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction, """
            INSERT INTO monitor_slices (deployment, route, slice_start, slice_end, rows_summarised, summary) VALUES (@d, @r, @s, @e, @n, @j)
            ON CONFLICT (deployment, route, slice_start, slice_end) DO NOTHING
            """, ct, ("d", slice.Deployment), ("r", slice.Route), ("s", slice.Start), ("e", slice.End), ("n", slice.Rows), ("j", slice.Summary)) > 0, ct);

    public async Task<long?> LastEndAsync(string deployment, string route, long length, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var value = await connection.ScalarAsync(null, "SELECT MAX(slice_end) FROM monitor_slices WHERE deployment = @d AND route = @r AND slice_end - slice_start = @l", ct,
            ("d", deployment), ("r", route), ("l", length));
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<MonitorSlice>> ReadAsync(string deployment, string route, long from, long to, long length, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, """
            SELECT slice_start, slice_end, rows_summarised, summary FROM monitor_slices
            WHERE deployment = @d AND route = @r AND slice_start >= @f AND slice_end <= @t AND slice_end - slice_start = @l ORDER BY slice_end
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("f", from);
        command.Add("t", to);
        command.Add("l", length);
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
