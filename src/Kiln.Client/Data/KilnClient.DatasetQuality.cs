using System.Text.Json;
using Kiln.Core.Data;

namespace Kiln.Client;

/// <summary>A run that read a dataset version.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="RunName">The run's name.</param>
/// <param name="ExperimentId">Its experiment.</param>
/// <param name="Status">Its status, e.g. FINISHED.</param>
/// <param name="Context">What the run used the data for (train, validation, predict…).</param>
public sealed record DatasetLineageRun(string RunId, string RunName, string ExperimentId, string Status, string Context);

/// <summary>What a garbage collection found and did.</summary>
/// <param name="Objects">Objects stored in all.</param>
/// <param name="Referenced">Objects some version references.</param>
/// <param name="Deleted">Unreferenced objects deleted (or that would be, on a dry run).</param>
/// <param name="DeletedBytes">Their total size.</param>
/// <param name="Recent">Unreferenced objects spared as younger than the grace period.</param>
public sealed record DatasetGarbage(int Objects, int Referenced, int Deleted, long DeletedBytes, int Recent);

public sealed partial class KilnClient
{
    /// <summary>Uploads a file (CSV, Parquet or any other) as a new version of a dataset; identical content returns the existing version.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="file">The local file to upload; its name (and extension) is kept.</param>
    /// <param name="message">What changed.</param>
    /// <param name="tags">Tags for the version.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The version, and whether it was new.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The file is unreadable as the table its extension says, or the server failed.</exception>
    public async Task<(DatasetVersion Version, bool Created)> AddDatasetVersionAsync(string dataset, string file, string? message = null,
        IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        var query = $"?file={Uri.EscapeDataString(Path.GetFileName(file))}&message={Uri.EscapeDataString(message ?? "")}"
            + string.Concat((tags ?? new Dictionary<string, string>()).Select(t => $"&tag={Uri.EscapeDataString(t.Key + "=" + t.Value)}"));
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, DatasetPath(dataset) + "/versions" + query, null, content, ct);
        return (ReadVersion(doc.RootElement.GetProperty("version")), doc.RootElement.GetProperty("created").GetBoolean());
    }

    /// <summary>Downloads one file of a version (the server verifies its hash before sending it).</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="path">The file's path in the version.</param>
    /// <param name="destination">Where to write it.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version or file, or the stored object is corrupt.</exception>
    public async Task DownloadDatasetFileAsync(string dataset, string version, string path, string destination, CancellationToken ct = default)
    {
        var uri = new Uri(_rest.BaseUri, VersionPath(dataset, version) + "/files/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString)));
        using var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw Http.RestChannel.ToException(response, await response.Content.ReadAsByteArrayAsync(ct));
        }
        var temporary = destination + ".kiln-partial";
        try
        {
            await using (var file = File.Create(temporary))
            {
                await response.Content.CopyToAsync(file, ct);
            }
            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // nothing half-written is left behind (a no-op once moved)
        }
    }

    /// <summary>Sets a tag on a version.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="key">The tag's key.</param>
    /// <param name="value">Its value.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The version with its tags.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version, or an invalid key.</exception>
    public async Task<DatasetVersion> SetDatasetTagAsync(string dataset, string version, string key, string value, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, VersionPath(dataset, version) + "/tags", w =>
        {
            w.WriteString("key", key);
            w.WriteString("value", value);
        }, null, ct);
        return ReadVersion(doc.RootElement.GetProperty("version"));
    }

    /// <summary>Deletes a tag from a version.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="key">The tag's key.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The version with its remaining tags.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version or tag.</exception>
    public async Task<DatasetVersion> DeleteDatasetTagAsync(string dataset, string version, string key, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Delete, VersionPath(dataset, version) + "/tags/" + Uri.EscapeDataString(key), null, null, ct);
        return ReadVersion(doc.RootElement.GetProperty("version"));
    }

    /// <summary>The schema and statistics of each table of a version, as profile JSON (read it with Kiln.Tabular's <c>TableProfile.FromJson</c>).</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>Each table's path and profile JSON.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version.</exception>
    public async Task<IReadOnlyList<(string Path, string ProfileJson)>> GetDatasetStatsAsync(string dataset, string version = "latest", CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(VersionPath(dataset, version) + "/stats", [], ct);
        return [.. doc.RootElement.GetProperty("tables").EnumerateArray().Select(t => (t.GetProperty("path").GetString()!, t.GetProperty("profile").GetRawText()))];
    }

    /// <summary>The diff of two versions as JSON: files added, removed and changed, and for changed tables each column's statistics before and after.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="from">The earlier version.</param>
    /// <param name="to">The later version.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The response's <c>changes</c> array as JSON.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version.</exception>
    public async Task<string> DiffDatasetVersionsAsync(string dataset, string from, string to = "latest", CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(DatasetPath(dataset) + "/diff", [("from", from), ("to", to)], ct);
        return doc.RootElement.GetProperty("changes").GetRawText();
    }

    /// <summary>The runs that read a version.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The runs.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version.</exception>
    public async Task<IReadOnlyList<DatasetLineageRun>> GetDatasetLineageAsync(string dataset, string version = "latest", CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(VersionPath(dataset, version) + "/lineage", [], ct);
        return [.. doc.RootElement.GetProperty("runs").EnumerateArray().Select(r => new DatasetLineageRun(r.GetProperty("run_id").GetString()!,
            r.GetProperty("run_name").GetString()!, r.GetProperty("experiment_id").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("context").GetString()!))];
    }

    /// <summary>A dataset's schema versions, newest (current) first.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The schema versions with their YAML.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server failed the call.</exception>
    public async Task<IReadOnlyList<DatasetSchemaVersion>> ListDatasetSchemasAsync(string dataset, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(DatasetPath(dataset) + "/schemas", [], ct);
        return [.. doc.RootElement.GetProperty("schemas").EnumerateArray().Select(s => ReadSchema(dataset, s))];
    }

    /// <summary>A schema inferred from a version's tables, as YAML to edit and save.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix, or latest.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The YAML.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version, or it holds no table.</exception>
    public async Task<string> InferDatasetSchemaAsync(string dataset, string version = "latest", CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(VersionPath(dataset, version) + "/schema", [], ct);
        return doc.RootElement.GetProperty("yaml").GetString()!;
    }

    /// <summary>Saves a schema (checked first) as the dataset's current schema.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="yaml">The schema YAML.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The saved schema version.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The YAML is invalid (the message names the line), or no such dataset.</exception>
    public async Task<DatasetSchemaVersion> SaveDatasetSchemaAsync(string dataset, string yaml, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, DatasetPath(dataset) + "/schemas", w => w.WriteString("yaml", yaml), null, ct);
        return ReadSchema(dataset, doc.RootElement.GetProperty("schema"));
    }

    /// <summary>Validates a version against the dataset's schema (or <paramref name="schemaYaml"/>) and a reference version; the result is stored.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">The version to check.</param>
    /// <param name="against">A reference version, or null.</param>
    /// <param name="schemaYaml">A schema to use instead of the saved one.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The stored validation; <see cref="DatasetValidation.ResultJson"/> holds the anomalies and per-column comparisons.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version, no schema and no reference, or an invalid schema.</exception>
    public async Task<DatasetValidation> ValidateDatasetVersionAsync(string dataset, string version = "latest", string? against = null, string? schemaYaml = null,
        CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, VersionPath(dataset, version) + "/validate", w =>
        {
            if (against is not null)
            {
                w.WriteString("against", against);
            }
            if (schemaYaml is not null)
            {
                w.WriteString("schema", schemaYaml);
            }
        }, null, ct);
        return ReadResult(doc.RootElement.GetProperty("validation"));
    }

    /// <summary>The stored validations of a dataset (or one version), newest first, without their full results.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">Only this version's, or null for all.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The validations (<see cref="DatasetValidation.ResultJson"/> empty: fetch one with <see cref="GetDatasetValidationAsync"/>).</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such version.</exception>
    public async Task<IReadOnlyList<DatasetValidation>> ListDatasetValidationsAsync(string dataset, string? version = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(DatasetPath(dataset) + "/validations", [("version", version)], ct);
        return [.. doc.RootElement.GetProperty("validations").EnumerateArray().Select(v => new DatasetValidation(v.GetProperty("id").GetString()!, dataset,
            v.GetProperty("version_id").GetString()!, v.TryGetProperty("against_version_id", out var a) ? a.GetString() : null, v.GetProperty("schema_id").GetString()!,
            v.GetProperty("created_at").GetInt64(), v.GetProperty("user_id").GetString()!, v.GetProperty("errors").GetInt32(), v.GetProperty("warnings").GetInt32(), ""))];
    }

    /// <summary>One stored validation with its full result.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="id">The validation's id.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The validation.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">No such validation.</exception>
    public async Task<DatasetValidation> GetDatasetValidationAsync(string dataset, string id, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(DatasetPath(dataset) + "/validations/" + Uri.EscapeDataString(id), [], ct);
        return ReadResult(doc.RootElement.GetProperty("validation"));
    }

    /// <summary>Deletes stored objects no version references (sparing those younger than the grace period).</summary>
    /// <param name="dryRun">Only report what would be deleted.</param>
    /// <param name="graceMinutes">Spare unreferenced objects written this recently.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>What was found and deleted.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server failed the call.</exception>
    public async Task<DatasetGarbage> CollectDatasetGarbageAsync(bool dryRun = false, int graceMinutes = 60, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, "api/kiln/datasets/gc", w =>
        {
            w.WriteBoolean("dry_run", dryRun);
            w.WriteNumber("grace_minutes", graceMinutes);
        }, null, ct);
        var r = doc.RootElement;
        return new DatasetGarbage(r.GetProperty("objects").GetInt32(), r.GetProperty("referenced").GetInt32(), r.GetProperty("deleted").GetInt32(),
            r.GetProperty("deleted_bytes").GetInt64(), r.GetProperty("recent").GetInt32());
    }

    private static DatasetSchemaVersion ReadSchema(string dataset, JsonElement s) => new(dataset, s.GetProperty("schema_id").GetString()!,
        s.GetProperty("yaml").GetString()!, s.GetProperty("created_at").GetInt64(), s.GetProperty("user_id").GetString()!);

    private static DatasetValidation ReadResult(JsonElement r) => new(r.GetProperty("id").GetString()!, r.GetProperty("dataset").GetString()!,
        r.GetProperty("version").GetString()!, r.TryGetProperty("against", out var a) ? a.GetString() : null, r.GetProperty("schema_id").GetString()!,
        r.GetProperty("created_at").GetInt64(), "", r.GetProperty("errors").GetInt32(), r.GetProperty("warnings").GetInt32(), r.GetRawText());
}
