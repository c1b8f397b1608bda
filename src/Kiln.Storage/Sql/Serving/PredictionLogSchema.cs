namespace Kiln.Storage.Sql.Serving;

/// <summary>The prediction log's tables, migration by migration (<see cref="SqlPredictionLog"/> reads and writes them).</summary>
internal static class PredictionLogSchema
{
    /// <summary>Migration 11: the prediction log.</summary>
    public static string V11(SqlTypes t) => $"""
        CREATE TABLE prediction_log (
            request_id TEXT NOT NULL,
            route TEXT NOT NULL,
            deployment TEXT NOT NULL,
            model_name TEXT,
            model_version INTEGER,
            at {t.BigInt} NOT NULL,
            latency_ms {t.Real} NOT NULL,
            inputs TEXT NOT NULL,
            outputs TEXT NOT NULL,
            shadow INTEGER NOT NULL,
            label TEXT,
            label_at {t.BigInt},
            PRIMARY KEY (request_id, route));
        CREATE INDEX ix_prediction_log_time ON prediction_log (deployment, at);
        """;

    /// <summary>Migration 17: a served model's input names kept once (<c>prediction_inputs</c>), and rows whose inputs are
    /// a JSON array of values in that order (<c>inputs_id</c>; null: the inputs are a JSON object, as rows logged before).</summary>
    public static string V17(SqlTypes t) => $"""
        CREATE TABLE prediction_inputs (
            id {t.IdentityPrimaryKey},
            names TEXT NOT NULL UNIQUE);
        ALTER TABLE prediction_log ADD COLUMN inputs_id INTEGER;
        """;

    /// <summary>
    /// Migration 18: the log as segments. Each row logged before becomes a segment of one row (its JSON made by the
    /// database from the row's columns), its key, and, when labelled, its label row; then the old table goes.
    /// </summary>
    public static string V18(SqlTypes t)
    {
        var postgres = t.Dialect == "postgresql";
        var quote = postgres ? "to_json(request_id)::text" : "json_quote(request_id)";
        var json = $"'[[' || at || ',' || latency_ms || ',' || {quote} || ',' || inputs || ',' || outputs || ']]'";
        var order = "ROW_NUMBER() OVER (ORDER BY at, request_id, route)";
        return $"""
            CREATE TABLE prediction_segments (
                id {t.IdentityPrimaryKey},
                deployment TEXT NOT NULL,
                route TEXT NOT NULL,
                model_name TEXT,
                model_version INTEGER,
                shadow INTEGER NOT NULL,
                inputs_id INTEGER,
                first_at {t.BigInt} NOT NULL,
                last_at {t.BigInt} NOT NULL,
                row_count INTEGER NOT NULL,
                rows {t.Blob} NOT NULL);
            CREATE INDEX ix_prediction_segments_first ON prediction_segments (deployment, first_at);
            CREATE INDEX ix_prediction_segments_last ON prediction_segments (deployment, last_at);
            CREATE TABLE prediction_keys (
                request_id TEXT NOT NULL,
                route TEXT NOT NULL,
                segment {t.BigInt} NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (request_id, route)){t.WithoutRowId};
            CREATE TABLE prediction_labels (
                request_id TEXT NOT NULL,
                route TEXT NOT NULL,
                deployment TEXT NOT NULL,
                model_name TEXT,
                model_version INTEGER,
                at {t.BigInt} NOT NULL,
                latency_ms {t.Real} NOT NULL,
                outputs TEXT NOT NULL,
                shadow INTEGER NOT NULL,
                label TEXT NOT NULL,
                label_at {t.BigInt},
                PRIMARY KEY (request_id, route));
            CREATE INDEX ix_prediction_labels_time ON prediction_labels (deployment, route, at);
            INSERT INTO prediction_segments (id, deployment, route, model_name, model_version, shadow, inputs_id, first_at, last_at, row_count, rows)
                SELECT {order}, deployment, route, model_name, model_version, shadow, inputs_id, at, at, 1,
                    {(postgres ? $"convert_to({json}, 'UTF8')" : $"CAST({json} AS BLOB)")}
                FROM prediction_log;
            INSERT INTO prediction_keys (request_id, route, segment, position) SELECT request_id, route, {order}, 0 FROM prediction_log;
            INSERT INTO prediction_labels (request_id, route, deployment, model_name, model_version, at, latency_ms, outputs, shadow, label, label_at)
                SELECT request_id, route, deployment, model_name, model_version, at, latency_ms, outputs, shadow, label, label_at FROM prediction_log WHERE label IS NOT NULL;
            DROP TABLE prediction_log;
            {(postgres ? "SELECT setval(pg_get_serial_sequence('prediction_segments', 'id'), COALESCE((SELECT MAX(id) FROM prediction_segments), 0) + 1, false);" : "")}
            """;
    }
}
