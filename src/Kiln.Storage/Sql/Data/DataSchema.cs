namespace Kiln.Storage.Sql.Data;

/// <summary>The dataset tables (data_sets and data_versions; MLflow's own "datasets" table is the runs' inputs).</summary>
internal static class DataSchema
{
    /// <summary>Migration 3: datasets and their versions.</summary>
    public static string V3(SqlTypes t) => $"""
        CREATE TABLE data_sets (
            name TEXT PRIMARY KEY,
            created_at {t.BigInt} NOT NULL);
        CREATE TABLE data_versions (
            name TEXT NOT NULL REFERENCES data_sets (name),
            version_id TEXT NOT NULL,
            message TEXT NOT NULL,
            user_id TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            file_count INTEGER NOT NULL,
            total_bytes {t.BigInt} NOT NULL,
            PRIMARY KEY (name, version_id));
        CREATE INDEX ix_data_versions_created ON data_versions (name, created_at);
        """;

    /// <summary>Migration 4: the stat cache (a file's path, size and modification time → its hash).</summary>
    public static string V4(SqlTypes t) => $"""
        CREATE TABLE data_hash_cache (
            path TEXT PRIMARY KEY,
            size {t.BigInt} NOT NULL,
            modified {t.BigInt} NOT NULL,
            hash TEXT NOT NULL);
        """;

    /// <summary>Migration 5: version tags, schema versions and stored validations.</summary>
    public static string V5(SqlTypes t) => $"""
        CREATE TABLE data_version_tags (
            name TEXT NOT NULL,
            version_id TEXT NOT NULL,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            PRIMARY KEY (name, version_id, tag_key),
            FOREIGN KEY (name, version_id) REFERENCES data_versions (name, version_id));
        CREATE TABLE data_schemas (
            name TEXT NOT NULL REFERENCES data_sets (name),
            schema_id TEXT NOT NULL,
            yaml TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (name, schema_id));
        CREATE TABLE data_validations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            version_id TEXT NOT NULL,
            against_version_id TEXT,
            schema_id TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            result_json TEXT NOT NULL,
            FOREIGN KEY (name, version_id) REFERENCES data_versions (name, version_id));
        CREATE INDEX ix_data_validations_version ON data_validations (name, version_id, created_at);
        """;
}
