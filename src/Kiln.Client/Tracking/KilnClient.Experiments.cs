using Kiln.Client.Http;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Creates an experiment and returns its id.</summary>
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("experiments/create", w =>
        {
            w.WriteString("name", name);
            if (artifactLocation is not null)
            {
                w.WriteString("artifact_location", artifactLocation);
            }
            ClientJson.WriteTags(w, "tags", tags);
        }, ct);
        return doc.RootElement.GetProperty("experiment_id").GetString()!;
    }

    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("experiments/get", [("experiment_id", experimentId)], ct);
        return ClientJson.Experiment(doc.RootElement.GetProperty("experiment"));
    }

    /// <summary>The experiment with this name, or null if there is none.</summary>
    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default)
    {
        try
        {
            using var doc = await _rest.GetAsync("experiments/get-by-name", [("experiment_name", name)], ct);
            return ClientJson.Experiment(doc.RootElement.GetProperty("experiment"));
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>The id of the experiment with this name, creating it if needed (as <c>mlflow.set_experiment</c>).</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken ct = default)
    {
        if (await GetExperimentByNameAsync(name, ct) is { } existing)
        {
            return existing.ExperimentId;
        }
        try
        {
            return await CreateExperimentAsync(name, ct: ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
        {
            return (await GetExperimentByNameAsync(name, ct))!.ExperimentId;
        }
    }

    public async Task<Page<Experiment>> SearchExperimentsAsync(string? filter = null, IEnumerable<string>? orderBy = null, ViewType viewType = ViewType.ActiveOnly,
        int maxResults = 1000, string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("experiments/search", w =>
        {
            w.WriteNumber("max_results", maxResults);
            WriteSearchCommon(w, filter, orderBy, pageToken);
            w.WriteString("view_type", viewType.WireName());
        }, ct);
        var items = doc.RootElement.TryGetProperty("experiments", out var list) ? list.EnumerateArray().Select(ClientJson.Experiment).ToList() : [];
        return new Page<Experiment>(items, ClientJson.NextPageToken(doc.RootElement));
    }

    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default) =>
        PostAsync("experiments/update", w => { w.WriteString("experiment_id", experimentId); w.WriteString("new_name", newName); }, ct);

    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) =>
        PostAsync("experiments/delete", w => w.WriteString("experiment_id", experimentId), ct);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) =>
        PostAsync("experiments/restore", w => w.WriteString("experiment_id", experimentId), ct);

    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken ct = default) =>
        PostAsync("experiments/set-experiment-tag", w => { w.WriteString("experiment_id", experimentId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    private async Task PostAsync(string path, Action<System.Text.Json.Utf8JsonWriter> body, CancellationToken ct)
    {
        using var _ = await _rest.PostAsync(path, body, ct);
    }

    private static void WriteSearchCommon(System.Text.Json.Utf8JsonWriter w, string? filter, IEnumerable<string>? orderBy, string? pageToken)
    {
        if (filter is not null)
        {
            w.WriteString("filter", filter);
        }
        w.WriteStartArray("order_by");
        foreach (var term in orderBy ?? [])
        {
            w.WriteStringValue(term);
        }
        w.WriteEndArray();
        if (pageToken is not null)
        {
            w.WriteString("page_token", pageToken);
        }
    }
}
