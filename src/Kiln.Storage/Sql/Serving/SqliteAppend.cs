using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// Inserts a batch of logged rows through SQLite's own API: one prepared statement, each row's text bound straight from
/// the batch's UTF-8 buffer. ADO.NET parameters would make a string of every field and encode it again (on a busy
/// server that was a third of the log's cost). Runs inside the caller's transaction on the same connection.
/// </summary>
internal static class SqliteAppend
{
    private const string Insert_ = "INSERT INTO prediction_log (request_id, deployment, route, model_name, model_version, at, latency_ms, inputs, outputs, shadow, inputs_id) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (request_id, route) DO NOTHING";

    /// <summary>Inserts every row of <paramref name="rows"/>, each with the id <paramref name="inputsId"/> gives its source's
    /// input names (null: the row's inputs are a JSON object); returns how many were new.</summary>
    public static int Insert(SqliteConnection connection, PredictionRows rows, Func<PredictionSource, long?> inputsId)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, Insert_, out var statement));
        using (statement)
        {
            var written = 0;
            PredictionSource? bound = null;
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (!ReferenceEquals(row.Source, bound))
                {
                    bound = row.Source;
                    raw.sqlite3_bind_text(statement, 2, bound.Deployment);
                    raw.sqlite3_bind_text(statement, 3, bound.Route);
                    _ = bound.ModelName is null ? raw.sqlite3_bind_null(statement, 4) : raw.sqlite3_bind_text(statement, 4, bound.ModelName);
                    _ = bound.ModelVersion is { } v ? raw.sqlite3_bind_int64(statement, 5, v) : raw.sqlite3_bind_null(statement, 5);
                    raw.sqlite3_bind_int64(statement, 10, bound.Shadow ? 1 : 0);
                    _ = inputsId(bound) is { } id ? raw.sqlite3_bind_int64(statement, 11, id) : raw.sqlite3_bind_null(statement, 11);
                }
                raw.sqlite3_bind_text(statement, 1, rows.Text(row.RequestId));
                raw.sqlite3_bind_int64(statement, 6, row.Time);
                raw.sqlite3_bind_double(statement, 7, row.LatencyMs);
                raw.sqlite3_bind_text(statement, 8, rows.Text(row.Inputs));
                raw.sqlite3_bind_text(statement, 9, rows.Text(row.Outputs));
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE)
                {
                    Check(db, rc);
                }
                written += raw.sqlite3_changes(db);
                raw.sqlite3_reset(statement);
            }
            return written;
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
