using Kiln.Client;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking.Remote;

/// <summary>
/// <see cref="ITracking"/> over a tracking server (Kiln's or MLflow's) through its REST API: the server validates and
/// stores; artifacts go through its artifact proxy, so the run's artifact URI must be <c>mlflow-artifacts:</c>.
/// </summary>
public sealed class RemoteTracking(KilnClient client, TimeProvider time) : ITracking
{
    /// <summary>The server's address.</summary>
    public Uri Server => client.TrackingUri;

    /// <inheritdoc />
    public long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public Task<string> GetOrCreateExperimentAsync(string name, CancellationToken ct = default) => client.GetOrCreateExperimentAsync(name, ct);

    /// <inheritdoc />
    public Task<string> CreateExperimentAsync(string? name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken ct = default) =>
        client.CreateExperimentAsync(name ?? "", artifactLocation, ToDictionary(tags), ct);

    /// <inheritdoc />
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default) => client.GetExperimentAsync(experimentId, ct);

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken ct = default) =>
        await client.GetExperimentByNameAsync(name, ct) ?? throw KilnException.NotFound($"Could not find experiment with name '{name}'.");

    /// <inheritdoc />
    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, IReadOnlyList<string>? orderBy, ViewType viewType, int? maxResults, string? pageToken, CancellationToken ct = default) =>
        client.SearchExperimentsAsync(filter, orderBy, viewType, maxResults ?? TrackingLimits.MaxSearchResults, pageToken, ct);

    /// <inheritdoc />
    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) => client.DeleteExperimentAsync(experimentId, ct);

    /// <inheritdoc />
    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) => client.RestoreExperimentAsync(experimentId, ct);

    /// <inheritdoc />
    public Task<Run> CreateRunAsync(string? experimentId, string? userId, string? runName, long? startTime, IReadOnlyList<Tag> tags, CancellationToken ct = default) =>
        client.CreateRunAsync(string.IsNullOrEmpty(experimentId) ? "0" : experimentId, runName, ToDictionary(tags), startTime ?? NowMs(), userId, ct);

    /// <inheritdoc />
    public Task<Run> GetRunAsync(string runId, CancellationToken ct = default) => client.GetRunAsync(runId, ct);

    /// <inheritdoc />
    public Task<RunInfo> UpdateRunAsync(string runId, string? status, long? endTime, string? runName, CancellationToken ct = default) =>
        client.UpdateRunAsync(runId, status is null ? null : RunStatusNames.Parse(status), endTime, runName, ct);

    /// <inheritdoc />
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default) =>
        client.LogBatchAsync(runId, metrics, parameters, tags, ct);

    /// <inheritdoc />
    public Task SetTagAsync(string runId, Tag tag, CancellationToken ct = default) => client.SetTagAsync(runId, tag.Key, tag.Value, ct);

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default) => client.LogInputsAsync(runId, inputs, ct);

    /// <inheritdoc />
    public Task LogModelAsync(string runId, string? modelJson, CancellationToken ct = default) => client.LogModelAsync(runId, modelJson ?? "", ct);

    /// <inheritdoc />
    public Task<Page<Run>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int? maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken ct = default) =>
        client.SearchRunsAsync(experimentIds, filter, orderBy, viewType, maxResults ?? TrackingLimits.MaxSearchResults, pageToken, ct);

    /// <inheritdoc />
    public Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int? maxResults, string? pageToken, CancellationToken ct = default) =>
        client.GetMetricHistoryAsync(runId, key, maxResults, pageToken, ct);

    /// <inheritdoc />
    public async Task<(IArtifactStore Store, string Path, string RootUri)> RunArtifactsAsync(string runId, CancellationToken ct = default)
    {
        var uri = (await client.GetRunAsync(runId, ct)).Info.ArtifactUri;
        return ArtifactUris.ProxiedPath(uri) is { } path
            ? (client.ArtifactProxy, path, uri)
            : throw KilnException.Invalid($"Run {runId} keeps its artifacts at '{uri}', not behind {client.TrackingUri}'s artifact proxy; "
                + "start the server with its default artifact settings (kiln server proxies artifacts) or read them from that location directly.");
    }

    /// <inheritdoc />
    public async Task EndUnfinishedRunAsync(string runId, Exception error, bool cancelled)
    {
        try
        {
            if (!cancelled)
            {
                await SetTagAsync(runId, new Tag(TrackingService.ErrorTag, TrackingService.Truncate(error.Message)), CancellationToken.None);
            }
            await client.UpdateRunAsync(runId, cancelled ? RunStatus.Killed : RunStatus.Failed, NowMs(), null, CancellationToken.None);
        }
        catch (Exception recording) when (recording is KilnException or IOException or HttpRequestException or TaskCanceledException)
        {
            // The server may be what failed; the caller rethrows the original error.
        }
    }

    private static Dictionary<string, string> ToDictionary(IReadOnlyList<Tag> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }
        return map;
    }
}
