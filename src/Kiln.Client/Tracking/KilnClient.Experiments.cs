using Kiln.Core.Errors;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Creates an experiment and returns its id.</summary>
    /// <remarks>MLflow's <c>experiments/create</c>.</remarks>
    /// <param name="name">A unique, non-blank name of at most 500 characters.</param>
    /// <param name="artifactLocation">Where the experiment's runs store artifacts; null (the default) is the server's default artifact root plus the experiment id.</param>
    /// <param name="tags">Experiment tags (keys at most 250 characters, values at most 8000); null (the default) sets none.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new experiment's id.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_ALREADY_EXISTS</c> if the name is taken (also by a deleted experiment) or <c>INVALID_PARAMETER_VALUE</c> for an invalid name or tag.</exception>
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("experiments/create", w =>
        {
            w.WriteString("name", name);
            if (artifactLocation is not null)
            {
                w.WriteString("artifact_location", artifactLocation);
            }
            MlflowJson.WriteTags(w, "tags", AsTags(tags));
        }, ct);
        return doc.RootElement.GetProperty("experiment_id").GetString()!;
    }

    /// <summary>Gets an experiment by id, deleted or not (MLflow's <c>experiments/get</c>).</summary>
    /// <param name="experimentId">The experiment's id.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The experiment with its tags.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if there is no such experiment.</exception>
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("experiments/get", [("experiment_id", experimentId)], ct);
        return MlflowJson.ReadExperiment(doc.RootElement.GetProperty("experiment"));
    }

    /// <summary>The experiment with this name, or null if there is none.</summary>
    /// <remarks>MLflow's <c>experiments/get-by-name</c>; a deleted experiment is returned too (see <see cref="Experiment.LifecycleStage"/>).</remarks>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server failed the call for a reason other than a missing experiment.</exception>
    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default)
    {
        try
        {
            using var doc = await _rest.GetAsync("experiments/get-by-name", [("experiment_name", name)], ct);
            return MlflowJson.ReadExperiment(doc.RootElement.GetProperty("experiment"));
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>The id of the experiment with this name, creating it if needed (as <c>mlflow.set_experiment</c>).</summary>
    /// <remarks>Safe when several processes call it at once; an existing experiment's id is returned even if it is deleted.</remarks>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for an invalid name.</exception>
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

    /// <summary>Searches experiments (MLflow's <c>experiments/search</c>), e.g. with the filter <c>name LIKE 'churn%' AND tags.team = 'ml'</c>.</summary>
    /// <remarks>Pass the previous page's <see cref="Page{T}.NextPageToken"/> to read the next page.</remarks>
    /// <param name="filter">The filter; null (the default) matches every experiment.</param>
    /// <param name="orderBy">Terms such as <c>name ASC</c> or <c>last_update_time DESC</c>; null (the default) orders by creation time, newest first.</param>
    /// <param name="viewType">Active, deleted or all experiments; defaults to <see cref="ViewType.ActiveOnly"/>.</param>
    /// <param name="maxResults">Page size, 1 to 50,000; defaults to 1000.</param>
    /// <param name="pageToken">The token of the page to read; null (the default) reads the first page.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>One page of experiments; its <see cref="Page{T}.NextPageToken"/> is null on the last page.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for a bad filter, order or page size.</exception>
    public async Task<Page<Experiment>> SearchExperimentsAsync(string? filter = null, IEnumerable<string>? orderBy = null, ViewType viewType = ViewType.ActiveOnly,
        int maxResults = 1000, string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("experiments/search", w =>
        {
            w.WriteNumber("max_results", maxResults);
            WriteSearchCommon(w, filter, orderBy, pageToken);
            w.WriteString("view_type", viewType.WireName());
        }, ct);
        return MlflowJson.ReadPage(doc.RootElement, "experiments", MlflowJson.ReadExperiment);
    }

    /// <summary>Renames an active experiment (MLflow's <c>experiments/update</c>); the new name must be unique, non-blank and at most 500 characters.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_ALREADY_EXISTS</c> if the name is taken or <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown experiment.</exception>
    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default) =>
        PostAsync("experiments/update", w => { w.WriteString("experiment_id", experimentId); w.WriteString("new_name", newName); }, ct);

    /// <summary>Soft-deletes an experiment and its runs (MLflow's <c>experiments/delete</c>); <see cref="RestoreExperimentAsync"/> brings them back.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown experiment or <c>INVALID_PARAMETER_VALUE</c> for the default experiment <c>0</c>.</exception>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) =>
        PostAsync("experiments/delete", w => w.WriteString("experiment_id", experimentId), ct);

    /// <summary>Restores a deleted experiment and its runs to active (MLflow's <c>experiments/restore</c>).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown experiment.</exception>
    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) =>
        PostAsync("experiments/restore", w => w.WriteString("experiment_id", experimentId), ct);

    /// <summary>Sets a tag on an active experiment, replacing any value it had (MLflow's <c>experiments/set-experiment-tag</c>).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for an invalid key, a value over 8000 characters or a deleted experiment.</exception>
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken ct = default) =>
        PostAsync("experiments/set-experiment-tag", w => { w.WriteString("experiment_id", experimentId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    private async Task PostAsync(string path, Action<System.Text.Json.Utf8JsonWriter> body, CancellationToken ct)
    {
        using var _ = await _rest.PostAsync(path, body, ct);
    }

    private static List<Tag> AsTags(IReadOnlyDictionary<string, string>? tags) => tags is null ? [] : [.. tags.Select(t => new Tag(t.Key, t.Value))];

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
