using System.Data.Common;
using Kiln.Core.Data;
using Kiln.Core.Errors;

namespace Kiln.Storage.Sql.Data;

/// <summary>Dataset versions on SQLite or PostgreSQL. Inserts are idempotent (ON CONFLICT DO NOTHING), so there is no lock to take.</summary>
public sealed class SqlDataStore(SqlDialect dialect, TimeProvider clock) : IDataStore
{
    private Task AuditAsync(DbConnection connection, DbTransaction transaction, string action, string resource, object? before, object? after, CancellationToken ct) =>
        Audit.AuditLog.AppendAsync(connection, transaction, dialect, clock, action, resource, before, after, ct);

    private const string Columns = "name, version_id, message, user_id, created_at, file_count, total_bytes";

    public Task<(DatasetVersion Version, bool Created)> AddVersionAsync(DatasetVersion version, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "INSERT INTO data_sets (name, created_at) VALUES (@n, @t) ON CONFLICT (name) DO NOTHING", ct,
                ("n", version.Dataset), ("t", version.CreatedAt));
            var inserted = await connection.ExecuteAsync(transaction,
                $"INSERT INTO data_versions ({Columns}) VALUES (@n, @v, @m, @u, @t, @c, @b) ON CONFLICT (name, version_id) DO NOTHING", ct,
                ("n", version.Dataset), ("v", version.VersionId), ("m", version.Message), ("u", version.UserId), ("t", version.CreatedAt),
                ("c", version.FileCount), ("b", version.TotalBytes));
            if (inserted == 1)
            {
                await AuditAsync(connection, transaction, "dataset.version.add", $"datasets/{version.Dataset}/versions/{version.VersionId}", null,
                    new { message = version.Message, files = version.FileCount, bytes = version.TotalBytes }, ct);
                return (version, true);
            }
            var existing = await ReadAsync(connection, transaction, $"SELECT {Columns} FROM data_versions WHERE name = @n AND version_id = @v", ct,
                ("n", version.Dataset), ("v", version.VersionId));
            return (existing.Single(), false);
        }, ct);

    public async Task<IReadOnlyList<Dataset>> ListDatasetsAsync(CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var latest = await ReadAsync(connection, null, $"""
            SELECT {Columns} FROM data_versions v
            WHERE created_at = (SELECT MAX(created_at) FROM data_versions w WHERE w.name = v.name)
            ORDER BY name, version_id
            """, ct);
        var counts = new Dictionary<string, (long Created, int Count)>(StringComparer.Ordinal);
        await using (var command = connection.Command(null, "SELECT s.name, s.created_at, COUNT(v.version_id) FROM data_sets s LEFT JOIN data_versions v ON v.name = s.name GROUP BY s.name, s.created_at ORDER BY s.name"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                counts[reader.GetString(0)] = (reader.GetInt64(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return [.. counts.Select(c => new Dataset(c.Key, c.Value.Created, c.Value.Count, latest.FirstOrDefault(v => v.Dataset == c.Key)))];
    }

    public async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string dataset, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var versions = await ReadAsync(connection, null, $"SELECT {Columns} FROM data_versions WHERE name = @n ORDER BY created_at DESC, version_id", ct, ("n", dataset));
        if (versions.Count == 0 && await connection.ScalarAsync(null, "SELECT 1 FROM data_sets WHERE name = @n", ct, ("n", dataset)) is null)
        {
            throw UnknownDataset(dataset);
        }
        var tags = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await using (var command = connection.Command(null, "SELECT version_id, tag_key, tag_value FROM data_version_tags WHERE name = @n ORDER BY tag_key"))
        {
            command.Add("n", dataset);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!tags.TryGetValue(id, out var map))
                {
                    tags[id] = map = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                map[reader.GetString(1)] = reader.GetString(2);
            }
        }
        return [.. versions.Select(v => tags.TryGetValue(v.VersionId, out var map) ? v with { Tags = map } : v)];
    }

    public async Task<DatasetVersion> GetVersionAsync(string dataset, string version, CancellationToken ct = default)
    {
        var versions = await ListVersionsAsync(dataset, ct);
        if (version == "latest")
        {
            return versions.FirstOrDefault() ?? throw KilnException.NotFound($"Dataset '{dataset}' has no versions yet: add one with kiln data add {dataset} PATH.");
        }
        var matches = versions.Where(v => v.VersionId == version || v.VersionId.StartsWith(version, StringComparison.Ordinal)
            || v.VersionId[(v.VersionId.IndexOf(':', StringComparison.Ordinal) + 1)..].StartsWith(version, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw KilnException.NotFound($"Dataset '{dataset}' has no version '{version}': list them with kiln data versions {dataset}."),
            _ => throw KilnException.Invalid($"'{version}' matches {matches.Count} versions of '{dataset}': give more characters of the id."),
        };
    }

    public async Task<IReadOnlyDictionary<string, (long Size, long Modified, string Hash)>> CachedHashesAsync(string folder, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT path, size, modified, hash FROM data_hash_cache WHERE path >= @lo AND path < @hi");
        // a range on the primary key: every path that starts with the folder
        command.Add("lo", folder);
        command.Add("hi", folder + "\uffff");
        var entries = new Dictionary<string, (long, long, string)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
        }
        return entries;
    }

    public Task RememberHashesAsync(IReadOnlyList<(string Path, long Size, long Modified, string Hash)> files, CancellationToken ct = default) =>
        files.Count == 0 ? Task.CompletedTask : dialect.WriteAsync(async (connection, transaction) =>
        {
            // every file in one statement: the rows travel as one JSON array the database unpacks (json_each / jsonb)
            var rows = new System.Buffers.ArrayBufferWriter<byte>(files.Count * 160);
            using (var json = new System.Text.Json.Utf8JsonWriter(rows))
            {
                json.WriteStartArray();
                foreach (var file in files)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(file.Path);
                    json.WriteNumberValue(file.Size);
                    json.WriteNumberValue(file.Modified);
                    json.WriteStringValue(file.Hash);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            var select = dialect.Name == "postgresql"
                ? "SELECT r->>0, (r->>1)::bigint, (r->>2)::bigint, r->>3 FROM jsonb_array_elements(CAST(@rows AS jsonb)) r"
                : "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each(@rows) WHERE true";
            await connection.ExecuteAsync(transaction,
                $"INSERT INTO data_hash_cache (path, size, modified, hash) {select} ON CONFLICT (path) DO UPDATE SET size = excluded.size, modified = excluded.modified, hash = excluded.hash",
                ct, ("rows", System.Text.Encoding.UTF8.GetString(rows.WrittenSpan)));
            return 0;
        }, ct);

    public async Task SetTagAsync(string dataset, string versionId, string key, string value, CancellationToken ct = default)
    {
        var version = await GetVersionAsync(dataset, versionId, ct);
        await dialect.WriteAsync(async (connection, transaction) =>
        {
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM data_version_tags WHERE name = @n AND version_id = @v AND tag_key = @k", ct,
                ("n", dataset), ("v", version.VersionId), ("k", key)) as string;
            await connection.ExecuteAsync(transaction,
                "INSERT INTO data_version_tags (name, version_id, tag_key, tag_value) VALUES (@n, @v, @k, @x) ON CONFLICT (name, version_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
                ct, ("n", dataset), ("v", version.VersionId), ("k", key), ("x", value));
            await AuditAsync(connection, transaction, "dataset.tag.set", $"datasets/{dataset}/versions/{version.VersionId}", old is null ? null : new { key, value = old }, new { key, value }, ct);
            return 0;
        }, ct);
    }

    public async Task DeleteTagAsync(string dataset, string versionId, string key, CancellationToken ct = default)
    {
        var version = await GetVersionAsync(dataset, versionId, ct);
        var deleted = await dialect.WriteAsync(async (connection, transaction) =>
        {
            var old = await connection.ScalarAsync(transaction, "SELECT tag_value FROM data_version_tags WHERE name = @n AND version_id = @v AND tag_key = @k", ct,
                ("n", dataset), ("v", version.VersionId), ("k", key)) as string;
            if (old is null)
            {
                return 0;
            }
            await connection.ExecuteAsync(transaction, "DELETE FROM data_version_tags WHERE name = @n AND version_id = @v AND tag_key = @k", ct, ("n", dataset), ("v", version.VersionId), ("k", key));
            await AuditAsync(connection, transaction, "dataset.tag.delete", $"datasets/{dataset}/versions/{version.VersionId}", new { key, value = old }, null, ct);
            return 1;
        }, ct);
        if (deleted == 0)
        {
            throw KilnException.NotFound($"{dataset} {version.VersionId} has no tag '{key}'.");
        }
    }

    public async Task<DatasetSchemaVersion> AddSchemaAsync(DatasetSchemaVersion schema, CancellationToken ct = default)
    {
        await ListVersionsAsync(schema.Dataset, ct); // the dataset must exist
        return await dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction,
                "INSERT INTO data_schemas (name, schema_id, yaml, created_at, user_id) VALUES (@n, @s, @y, @t, @u) ON CONFLICT (name, schema_id) DO UPDATE SET created_at = excluded.created_at, user_id = excluded.user_id",
                ct, ("n", schema.Dataset), ("s", schema.SchemaId), ("y", schema.Yaml), ("t", schema.CreatedAt), ("u", schema.UserId));
            await AuditAsync(connection, transaction, "dataset.schema.save", $"datasets/{schema.Dataset}", null, new { schema_id = schema.SchemaId }, ct);
            return schema;
        }, ct);
    }

    public async Task<IReadOnlyList<DatasetSchemaVersion>> ListSchemasAsync(string dataset, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT schema_id, yaml, created_at, user_id FROM data_schemas WHERE name = @n ORDER BY created_at DESC, schema_id");
        command.Add("n", dataset);
        var list = new List<DatasetSchemaVersion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new DatasetSchemaVersion(dataset, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
        }
        return list;
    }

    public Task AddValidationAsync(DatasetValidation v, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction,
            "INSERT INTO data_validations (id, name, version_id, against_version_id, schema_id, created_at, user_id, errors, warnings, result_json) VALUES (@i, @n, @v, @a, @s, @t, @u, @e, @w, @j)",
            ct, ("i", v.Id), ("n", v.Dataset), ("v", v.VersionId), ("a", v.AgainstVersionId), ("s", v.SchemaId), ("t", v.CreatedAt), ("u", v.UserId),
            ("e", v.Errors), ("w", v.Warnings), ("j", v.ResultJson)), ct);

    public async Task<IReadOnlyList<DatasetValidation>> ListValidationsAsync(string dataset, string? versionId, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        return versionId is null
            ? await ReadValidationsAsync(connection, $"SELECT {ValidationColumns} FROM data_validations WHERE name = @n ORDER BY created_at DESC, id", ct, ("n", dataset))
            : await ReadValidationsAsync(connection, $"SELECT {ValidationColumns} FROM data_validations WHERE name = @n AND version_id = @v ORDER BY created_at DESC, id", ct,
                ("n", dataset), ("v", versionId));
    }

    public async Task<DatasetValidation> GetValidationAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var found = await ReadValidationsAsync(connection, $"SELECT {ValidationColumns} FROM data_validations WHERE id = @i", ct, ("i", id));
        return found.SingleOrDefault() ?? throw KilnException.NotFound($"No dataset validation with id '{id}'.");
    }

    private const string ValidationColumns = "id, name, version_id, against_version_id, schema_id, created_at, user_id, errors, warnings, result_json";

    private static async Task<List<DatasetValidation>> ReadValidationsAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var command = connection.Command(null, sql);
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var list = new List<DatasetValidation>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new DatasetValidation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), reader.GetString(6), Convert.ToInt32(reader.GetValue(7), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(9)));
        }
        return list;
    }

    private static KilnException UnknownDataset(string dataset) =>
        KilnException.NotFound($"No dataset named '{dataset}': list them with kiln data list, or add one with kiln data add {dataset} PATH.");

    private static async Task<List<DatasetVersion>> ReadAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct,
        params (string Name, object? Value)[] args)
    {
        await using var command = connection.Command(transaction, sql);
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        var list = new List<DatasetVersion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new DatasetVersion(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                Convert.ToInt32(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(6)));
        }
        return list;
    }
}
