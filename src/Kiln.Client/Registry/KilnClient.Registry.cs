using System.Globalization;
using System.Text.Json;
using Kiln.Core.Mlflow;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Creates a registered model (MLflow's <c>registered-models/create</c>).</summary>
    /// <param name="name">A unique, non-empty name.</param>
    /// <param name="description">Free text, or null.</param>
    /// <param name="tags">Tags, or null for none.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new model.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_ALREADY_EXISTS</c> when the name is taken; <c>INVALID_PARAMETER_VALUE</c> for an empty name or a bad tag.</exception>
    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("registered-models/create", w =>
        {
            w.WriteString("name", name);
            if (description is not null)
            {
                w.WriteString("description", description);
            }
            MlflowJson.WriteTags(w, "tags", AsTags(tags));
        }, ct);
        return MlflowJson.ReadRegisteredModel(doc.RootElement.GetProperty("registered_model"));
    }

    /// <summary>A registered model with its tags, aliases and latest version per stage (MLflow's <c>registered-models/get</c>).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_DOES_NOT_EXIST</c> when there is no such model.</exception>
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("registered-models/get", [("name", name)], ct);
        return MlflowJson.ReadRegisteredModel(doc.RootElement.GetProperty("registered_model"));
    }

    /// <summary>Registered models matching an MLflow filter (<c>name LIKE 'loan%'</c>, <c>tags.team = 'risk'</c>), one page.</summary>
    /// <param name="filter">The filter, or null for all.</param>
    /// <param name="orderBy">Terms such as <c>name DESC</c> or <c>last_updated_timestamp</c>; null for name order.</param>
    /// <param name="maxResults">Page size, 1 to 1,000.</param>
    /// <param name="pageToken">The previous page's <see cref="Page{T}.NextPageToken"/>.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(string? filter = null, IReadOnlyList<string>? orderBy = null, int maxResults = 100,
        string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("registered-models/search",
            [("filter", filter), ("max_results", maxResults.ToString(CultureInfo.InvariantCulture)), ("page_token", pageToken), .. (orderBy ?? []).Select(o => ("order_by", (string?)o))], ct);
        return MlflowJson.ReadPage(doc.RootElement, "registered_models", MlflowJson.ReadRegisteredModel);
    }

    /// <summary>Renames a registered model; its versions, aliases and history follow.</summary>
    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("registered-models/rename", w =>
        {
            w.WriteString("name", name);
            w.WriteString("new_name", newName);
        }, ct);
        return MlflowJson.ReadRegisteredModel(doc.RootElement.GetProperty("registered_model"));
    }

    /// <summary>Sets a registered model's description.</summary>
    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string description, CancellationToken ct = default)
    {
        using var doc = await _rest.SendJsonAsync(HttpMethod.Patch, "registered-models/update", w =>
        {
            w.WriteString("name", name);
            w.WriteString("description", description);
        }, ct);
        return MlflowJson.ReadRegisteredModel(doc.RootElement.GetProperty("registered_model"));
    }

    /// <summary>Deletes a registered model with all its versions.</summary>
    public async Task DeleteRegisteredModelAsync(string name, CancellationToken ct = default) =>
        (await _rest.SendJsonAsync(HttpMethod.Delete, "registered-models/delete", w => w.WriteString("name", name), ct)).Dispose();

    /// <summary>Sets (or replaces) a registered model's tag.</summary>
    public async Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken ct = default) =>
        (await _rest.PostAsync("registered-models/set-tag", w =>
        {
            w.WriteString("name", name);
            w.WriteString("key", key);
            w.WriteString("value", value);
        }, ct)).Dispose();

    /// <summary>Deletes a registered model's tag (nothing happens when it has none).</summary>
    public async Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken ct = default) =>
        (await _rest.SendJsonAsync(HttpMethod.Delete, "registered-models/delete-tag", w =>
        {
            w.WriteString("name", name);
            w.WriteString("key", key);
        }, ct)).Dispose();

    /// <summary>Registers a new version of a model from its files' location (MLflow's <c>model-versions/create</c>).</summary>
    /// <param name="name">The registered model (must exist).</param>
    /// <param name="source">Where the files are: <c>runs:/RUN_ID/model</c>, an <c>mlflow-artifacts:</c> URI or a <c>models:/</c> URI.</param>
    /// <param name="runId">The run that made it (taken from a <c>runs:/</c> source when null).</param>
    /// <param name="description">Free text, or null.</param>
    /// <param name="tags">Tags, or null.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new version (numbered 1, 2, … per model).</returns>
    public async Task<ModelVersion> CreateModelVersionAsync(string name, string source, string? runId = null, string? description = null,
        IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("model-versions/create", w =>
        {
            w.WriteString("name", name);
            w.WriteString("source", source);
            if (runId is not null)
            {
                w.WriteString("run_id", runId);
            }
            if (description is not null)
            {
                w.WriteString("description", description);
            }
            MlflowJson.WriteTags(w, "tags", AsTags(tags));
        }, ct);
        return ReadVersion(doc);
    }

    /// <summary>One model version.</summary>
    public async Task<ModelVersion> GetModelVersionAsync(string name, int version, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("model-versions/get", [("name", name), ("version", version.ToString(CultureInfo.InvariantCulture))], ct);
        return ReadVersion(doc);
    }

    /// <summary>Model versions matching an MLflow filter (<c>name = 'loans'</c>, <c>run_id IN ('a','b')</c>, <c>version_number &gt; 3</c>), one page.</summary>
    public async Task<Page<ModelVersion>> SearchModelVersionsAsync(string? filter = null, IReadOnlyList<string>? orderBy = null, int maxResults = 10_000,
        string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("model-versions/search",
            [("filter", filter), ("max_results", maxResults.ToString(CultureInfo.InvariantCulture)), ("page_token", pageToken), .. (orderBy ?? []).Select(o => ("order_by", (string?)o))], ct);
        return MlflowJson.ReadPage(doc.RootElement, "model_versions", MlflowJson.ReadModelVersion);
    }

    /// <summary>Deletes a model version; aliases pointing at it go too. Its number is never given again.</summary>
    public async Task DeleteModelVersionAsync(string name, int version, CancellationToken ct = default) =>
        (await _rest.SendJsonAsync(HttpMethod.Delete, "model-versions/delete", w =>
        {
            w.WriteString("name", name);
            w.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
        }, ct)).Dispose();

    /// <summary>Sets (or replaces) a model version's tag.</summary>
    public async Task SetModelVersionTagAsync(string name, int version, string key, string value, CancellationToken ct = default) =>
        (await _rest.PostAsync("model-versions/set-tag", w =>
        {
            w.WriteString("name", name);
            w.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
            w.WriteString("key", key);
            w.WriteString("value", value);
        }, ct)).Dispose();

    /// <summary>Points an alias (e.g. <c>champion</c>) at a version; the move is kept in the alias's history.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>INVALID_PARAMETER_VALUE</c> for a reserved or malformed alias; <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown version.</exception>
    public async Task SetModelAliasAsync(string name, string alias, int version, CancellationToken ct = default) =>
        (await _rest.PostAsync("registered-models/alias", w =>
        {
            w.WriteString("name", name);
            w.WriteString("alias", alias);
            w.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
        }, ct)).Dispose();

    /// <summary>Removes an alias (nothing happens when it is not set).</summary>
    public async Task DeleteModelAliasAsync(string name, string alias, CancellationToken ct = default) =>
        (await _rest.SendJsonAsync(HttpMethod.Delete, "registered-models/alias", w =>
        {
            w.WriteString("name", name);
            w.WriteString("alias", alias);
        }, ct)).Dispose();

    /// <summary>The version an alias points at.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>INVALID_PARAMETER_VALUE</c> "Registered model alias … not found." when it is not set (MLflow's code).</exception>
    public async Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("registered-models/alias", [("name", name), ("alias", alias)], ct);
        return ReadVersion(doc);
    }

    /// <summary>Where a version's files can be downloaded from (MLflow's <c>model-versions/get-download-uri</c>).</summary>
    public async Task<string> GetModelVersionDownloadUriAsync(string name, int version, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("model-versions/get-download-uri", [("name", name), ("version", version.ToString(CultureInfo.InvariantCulture))], ct);
        return doc.RootElement.GetProperty("artifact_uri").GetString()!;
    }

    /// <summary>Every move of a model's aliases (or of one alias), oldest first: who moved it, when, why (Kiln's API).</summary>
    public async Task<IReadOnlyList<AliasEvent>> GetAliasHistoryAsync(string name, string? alias = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/models/{Uri.EscapeDataString(name)}/history", [("alias", alias)], ct);
        return [.. doc.RootElement.GetProperty("events").EnumerateArray().Select(ReadAliasEvent)];
    }

    private static ModelVersion ReadVersion(JsonDocument doc) => MlflowJson.ReadModelVersion(doc.RootElement.GetProperty("model_version"));

    private static AliasEvent ReadAliasEvent(JsonElement e) => new(
        e.GetProperty("id").GetInt64(), e.GetProperty("name").GetString()!, e.GetProperty("alias").GetString()!,
        e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null,
        e.TryGetProperty("previous_version", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null,
        e.GetProperty("time").GetInt64(), e.GetProperty("user").GetString()!, e.GetProperty("action").GetString()!,
        e.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
}
