namespace Kiln.Storage.Sql.Registry;

/// <summary>The model registry's tables. Children follow a rename and a delete of their model by ON UPDATE/DELETE CASCADE.</summary>
internal static class RegistrySchema
{
    /// <summary>Migration 6: registered models, versions, tags, aliases and every alias move.</summary>
    public static string V6(SqlTypes t) => $"""
        CREATE TABLE registered_models (
            name TEXT PRIMARY KEY,
            creation_time {t.BigInt} NOT NULL,
            last_updated_time {t.BigInt} NOT NULL,
            description TEXT,
            last_version INTEGER NOT NULL);
        CREATE TABLE registered_model_tags (
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            PRIMARY KEY (name, tag_key));
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            creation_time {t.BigInt} NOT NULL,
            last_updated_time {t.BigInt} NOT NULL,
            description TEXT,
            user_id TEXT NOT NULL,
            current_stage TEXT NOT NULL,
            source TEXT NOT NULL,
            run_id TEXT,
            run_link TEXT,
            status TEXT NOT NULL,
            status_message TEXT,
            PRIMARY KEY (name, version));
        CREATE INDEX ix_model_versions_run ON model_versions (run_id);
        CREATE INDEX ix_model_versions_stage ON model_versions (name, current_stage, version);
        CREATE TABLE model_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            PRIMARY KEY (name, version, tag_key),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE);
        CREATE TABLE registered_model_aliases (
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE);
        CREATE TABLE model_alias_events (
            id {t.IdentityPrimaryKey},
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            alias TEXT NOT NULL,
            version INTEGER,
            previous_version INTEGER,
            event_time {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            action TEXT NOT NULL,
            reason TEXT);
        CREATE INDEX ix_model_alias_events ON model_alias_events (name, alias, id);
        """;

    /// <summary>Migration 7: gate specs, gate verdicts and promotions waiting for approval.</summary>
    public static string V7(SqlTypes t) => $"""
        CREATE TABLE model_gates (
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            gate_id TEXT NOT NULL,
            alias TEXT NOT NULL,
            yaml TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (name, gate_id));
        CREATE TABLE model_gate_verdicts (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            alias TEXT NOT NULL,
            gate_id TEXT NOT NULL,
            passed INTEGER NOT NULL,
            holder_version INTEGER,
            result_json TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL);
        CREATE INDEX ix_model_gate_verdicts ON model_gate_verdicts (name, version, created_at);
        CREATE TABLE model_promotions (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
            version INTEGER NOT NULL,
            alias TEXT NOT NULL,
            status TEXT NOT NULL,
            expected_holder INTEGER NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at {t.BigInt} NOT NULL,
            reason TEXT,
            decided_by TEXT,
            decided_at {t.BigInt},
            forced INTEGER NOT NULL);
        CREATE UNIQUE INDEX ux_model_promotions_pending ON model_promotions (name, alias) WHERE status = 'PENDING';
        """;
}
