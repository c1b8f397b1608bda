using System.Buffers;
using System.Data.Common;
using System.Text;
using Kiln.Core.Serving;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// Appends a batch of logged rows as segments on PostgreSQL: per segment one statement for its row and one for all its
/// keys (request ids and positions as two arrays the server unnests), so a batch costs a few round trips whatever its
/// size. Runs inside the caller's transaction.
/// </summary>
internal static class PostgresAppend
{
    /// <summary>As <see cref="SqliteAppend.Insert"/>.</summary>
    public static async Task<int> InsertAsync(DbConnection connection, DbTransaction transaction, PredictionRows rows, Func<PredictionSource, long?> inputsId,
        CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024); // not the thread's: this method awaits, and may resume on another thread
        var written = 0;
        foreach (var chunk in PredictionSegments.Chunk(rows))
        {
            var source = rows[chunk[0]].Source;
            PredictionSegments.Encode(rows, chunk, buffer);
            var (first, last) = PredictionSegments.Times(rows, chunk);
            var segment = Convert.ToInt64(await connection.ScalarAsync(transaction, """
                INSERT INTO prediction_segments (deployment, route, model_name, model_version, shadow, inputs_id, first_at, last_at, row_count, rows)
                VALUES (@d, @r, @m, @v, @sh, @i, @f, @l, @n, @data) RETURNING id
                """, ct, ("d", source.Deployment), ("r", source.Route), ("m", source.ModelName), ("v", source.ModelVersion), ("sh", source.Shadow ? 1 : 0),
                ("i", inputsId(source)), ("f", first), ("l", last), ("n", chunk.Count),
                ("data", buffer.WrittenSpan.ToArray())), System.Globalization.CultureInfo.InvariantCulture);
            var accepted = await KeysAsync(connection, transaction, rows, chunk, source.Route, segment, ct);
            if (accepted.Count < chunk.Count)
            {
                // rows already logged under their (request id, route): the segment again with the new rows only
                await connection.ExecuteAsync(transaction, "DELETE FROM prediction_keys WHERE segment = @s", ct, ("s", segment));
                if (accepted.Count == 0)
                {
                    await connection.ExecuteAsync(transaction, "DELETE FROM prediction_segments WHERE id = @s", ct, ("s", segment));
                    continue;
                }
                PredictionSegments.Encode(rows, accepted, buffer);
                await connection.ExecuteAsync(transaction, "UPDATE prediction_segments SET row_count = @n, rows = @data WHERE id = @s", ct,
                    ("n", accepted.Count), ("data", buffer.WrittenSpan.ToArray()), ("s", segment));
                await KeysAsync(connection, transaction, rows, accepted, source.Route, segment, ct);
            }
            written += accepted.Count;
        }
        return written;
    }

    private static async Task<List<int>> KeysAsync(DbConnection connection, DbTransaction transaction, PredictionRows rows, List<int> chunk, string route, long segment,
        CancellationToken ct)
    {
        await using var command = connection.Command(transaction, """
            INSERT INTO prediction_keys (request_id, route, segment, position)
            SELECT k, @r, @s, p FROM unnest(@k::text[], @p::int[]) AS u(k, p) ORDER BY p
            ON CONFLICT (request_id, route) DO NOTHING RETURNING position
            """);
        command.Add("r", route);
        command.Add("s", segment);
        command.Add("k", chunk.Select(i => Encoding.UTF8.GetString(rows.Text(rows[i].RequestId))).ToArray());
        command.Add("p", Enumerable.Range(0, chunk.Count).ToArray());
        var accepted = new List<int>(chunk.Count);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                accepted.Add(reader.GetInt32(0));
            }
        }
        accepted.Sort();
        return [.. accepted.Select(p => chunk[p])];
    }
}
