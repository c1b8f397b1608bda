using System.Buffers;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// Appends a batch of logged rows as segments through SQLite's own API: per segment one row holding its rows' JSON,
/// bound straight from a buffer; per logged row one key (request id, route) bound from the batch's UTF-8 text. ADO.NET
/// parameters would make a string of every field and encode it again. Runs inside the caller's transaction.
/// </summary>
internal static class SqliteAppend
{
    private const string InsertSegment = "INSERT INTO prediction_segments (deployment, route, model_name, model_version, shadow, inputs_id, first_at, last_at, row_count, rows) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

    private const string InsertKey = "INSERT INTO prediction_keys (request_id, route, segment, position) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (request_id, route) DO NOTHING";

    /// <summary>Appends every row of <paramref name="rows"/>, each segment with the id <paramref name="inputsId"/> gives its
    /// source's input names (null: the rows' inputs are JSON objects); a row whose (request id, route) is already logged is
    /// left out. Returns how many rows were new.</summary>
    public static int Insert(SqliteConnection connection, SqliteTransaction transaction, PredictionRows rows, Func<PredictionSource, long?> inputsId)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, InsertSegment, out var segmentStatement));
        Check(db, raw.sqlite3_prepare_v2(db, InsertKey, out var keyStatement));
        using (segmentStatement)
        using (keyStatement)
        {
            var buffer = PredictionSegments.Buffer();
            var written = 0;
            foreach (var chunk in PredictionSegments.Chunk(rows))
            {
                var source = rows[chunk[0]].Source;
                PredictionSegments.Encode(rows, chunk, buffer);
                var segment = Segment(db, segmentStatement, source, inputsId(source), rows, chunk, buffer.WrittenSpan);
                var accepted = Keys(db, keyStatement, rows, chunk, source.Route, segment);
                if (accepted.Count < chunk.Count)
                {
                    Rewrite(connection, transaction, rows, segment, accepted, buffer);
                }
                written += accepted.Count;
            }
            return written;
        }
    }

    private static long Segment(sqlite3 db, sqlite3_stmt statement, PredictionSource source, long? inputsId, PredictionRows rows, List<int> chunk, ReadOnlySpan<byte> data)
    {
        var (first, last) = PredictionSegments.Times(rows, chunk);
        raw.sqlite3_bind_text(statement, 1, source.Deployment);
        raw.sqlite3_bind_text(statement, 2, source.Route);
        _ = source.ModelName is null ? raw.sqlite3_bind_null(statement, 3) : raw.sqlite3_bind_text(statement, 3, source.ModelName);
        _ = source.ModelVersion is { } v ? raw.sqlite3_bind_int64(statement, 4, v) : raw.sqlite3_bind_null(statement, 4);
        raw.sqlite3_bind_int64(statement, 5, source.Shadow ? 1 : 0);
        _ = inputsId is { } id ? raw.sqlite3_bind_int64(statement, 6, id) : raw.sqlite3_bind_null(statement, 6);
        raw.sqlite3_bind_int64(statement, 7, first);
        raw.sqlite3_bind_int64(statement, 8, last);
        raw.sqlite3_bind_int64(statement, 9, chunk.Count);
        raw.sqlite3_bind_blob(statement, 10, data);
        Step(db, statement);
        return raw.sqlite3_last_insert_rowid(db);
    }

    /// <summary>The chunk's keys, positions in order; returns the rows whose key was new.</summary>
    private static List<int> Keys(sqlite3 db, sqlite3_stmt statement, PredictionRows rows, List<int> chunk, string route, long segment)
    {
        raw.sqlite3_bind_text(statement, 2, route);
        raw.sqlite3_bind_int64(statement, 3, segment);
        var accepted = new List<int>(chunk.Count);
        for (var p = 0; p < chunk.Count; p++)
        {
            raw.sqlite3_bind_text(statement, 1, rows.Text(rows[chunk[p]].RequestId));
            raw.sqlite3_bind_int64(statement, 4, p);
            Step(db, statement);
            if (raw.sqlite3_changes(db) > 0)
            {
                accepted.Add(chunk[p]);
            }
        }
        return accepted;
    }

    /// <summary>The rare case of rows already logged under their (request id, route): the segment is written again with the
    /// new rows only (and their keys renumbered), or removed when none is new.</summary>
    private static void Rewrite(SqliteConnection connection, SqliteTransaction transaction, PredictionRows rows, long segment, List<int> accepted, ArrayBufferWriter<byte> buffer)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$s", segment);
        command.CommandText = "DELETE FROM prediction_keys WHERE segment = $s";
        command.ExecuteNonQuery();
        if (accepted.Count == 0)
        {
            command.CommandText = "DELETE FROM prediction_segments WHERE id = $s";
            command.ExecuteNonQuery();
            return;
        }
        PredictionSegments.Encode(rows, accepted, buffer);
        command.CommandText = "UPDATE prediction_segments SET row_count = $n, rows = $d WHERE id = $s";
        command.Parameters.AddWithValue("$n", accepted.Count);
        command.Parameters.AddWithValue("$d", buffer.WrittenSpan.ToArray());
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO prediction_keys (request_id, route, segment, position) VALUES ($k, $r, $s, $p)";
        var key = command.Parameters.Add("$k", SqliteType.Text);
        var position = command.Parameters.Add("$p", SqliteType.Integer);
        command.Parameters.AddWithValue("$r", rows[accepted[0]].Source.Route);
        for (var p = 0; p < accepted.Count; p++)
        {
            key.Value = System.Text.Encoding.UTF8.GetString(rows.Text(rows[accepted[p]].RequestId));
            position.Value = p;
            command.ExecuteNonQuery();
        }
    }

    private static void Step(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        try
        {
            if (rc != raw.SQLITE_DONE)
            {
                Check(db, rc);
            }
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new KilnException(ErrorCode.InternalError, $"Writing the prediction log failed: SQLite error {rc}, {raw.sqlite3_errmsg(db).utf8_to_string()}.");
        }
    }
}
