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

    /// <summary>Migration 15: on SQLite the labelled rows' index also holds every column realised performance reads, so a
    /// day's labels are read from the index's few contiguous pages, not one table page each (100,000 labels spread over a
    /// 7 GB log were 100,000 random reads, seconds from a cold disk). PostgreSQL keeps the narrow index: its B-tree
    /// refuses long entries, and a model's answer has no bound.</summary>
    internal static string CoveringLabelledIndex(SqlTypes t) => t.WideIndexEntries ? """
        DROP INDEX ix_prediction_log_labelled;
        CREATE INDEX ix_prediction_log_labelled ON prediction_log (deployment, route, at, request_id, shadow, model_name, model_version, latency_ms, outputs, label)
            WHERE label IS NOT NULL;
        """ : "SELECT 1;";

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
