namespace Kiln.Storage.Sql.Tracking;

/// <summary>
/// The tracking tables, written once for every dialect with the type names the dialect supplies (<see cref="SqlTypes"/>).
/// Table and column names follow MLflow's so its users can read the database, except metric history:
/// <c>metric_points</c> holds one row per metric key per log-batch, with the points packed in a blob
/// (see <see cref="MetricPoints"/>), which makes batched ingest several times faster than a row per point.
/// </summary>
internal static class TrackingSchema
{
    /// <summary>
    /// Migration 2: each chunk's step range, so that a page of history reads only the chunks that can hold it. Chunks
    /// written before have none (NULL) and are read whole.
    /// </summary>
    public static string V2(SqlTypes t) => $"""
        ALTER TABLE metric_points ADD COLUMN min_step {t.BigInt};
        ALTER TABLE metric_points ADD COLUMN max_step {t.BigInt};
        CREATE INDEX ix_metric_points_run_key_step ON metric_points (run_uuid, key, min_step);
        DROP INDEX ix_metric_points_run_key;
        """;

    /// <summary>Migration 1: the tracking tables.</summary>
    public static string V1(SqlTypes t) => $"""
        CREATE TABLE experiments (
            experiment_id {t.IdentityPrimaryKey},
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            creation_time {t.BigInt} NOT NULL,
            last_update_time {t.BigInt} NOT NULL);
        CREATE TABLE experiment_tags (
            experiment_id {t.BigInt} NOT NULL REFERENCES experiments (experiment_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)){t.WithoutRowId};
        CREATE TABLE runs (
            run_uuid TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            experiment_id {t.BigInt} NOT NULL REFERENCES experiments (experiment_id),
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time {t.BigInt} NOT NULL,
            end_time {t.BigInt},
            artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            deleted_time {t.BigInt});
        CREATE INDEX ix_runs_experiment_start ON runs (experiment_id, start_time);
        CREATE TABLE metric_points (
            chunk_id {t.IdentityPrimaryKey},
            run_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            point_count INTEGER NOT NULL,
            points {t.Blob} NOT NULL);
        CREATE INDEX ix_metric_points_run_key ON metric_points (run_uuid, key);
        CREATE TABLE latest_metrics (
            run_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            value {t.Real} NOT NULL,
            timestamp {t.BigInt} NOT NULL,
            step {t.BigInt} NOT NULL,
            is_nan INTEGER NOT NULL,
            PRIMARY KEY (run_uuid, key)){t.WithoutRowId};
        CREATE INDEX ix_latest_metrics_key_value ON latest_metrics (key, value);
        CREATE TABLE params (
            run_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_uuid, key)){t.WithoutRowId};
        CREATE INDEX ix_params_key_value ON params (key, value);
        CREATE TABLE tags (
            run_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_uuid, key)){t.WithoutRowId};
        CREATE TABLE datasets (
            dataset_uuid TEXT PRIMARY KEY,
            experiment_id {t.BigInt} NOT NULL REFERENCES experiments (experiment_id),
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            source_type TEXT NOT NULL,
            source TEXT NOT NULL,
            schema TEXT,
            profile TEXT,
            UNIQUE (experiment_id, name, digest));
        CREATE TABLE run_inputs (
            run_uuid TEXT NOT NULL,
            dataset_uuid TEXT NOT NULL,
            PRIMARY KEY (run_uuid, dataset_uuid)){t.WithoutRowId};
        CREATE TABLE run_input_tags (
            run_uuid TEXT NOT NULL,
            dataset_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_uuid, dataset_uuid, key)){t.WithoutRowId};
        """;
}
