using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Search;
using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking;

/// <summary>
/// Experiment tracking as the REST API and the CLI see it: validates input against
/// <see cref="TrackingLimits"/>, parses search grammar, and calls the store. Nothing invalid reaches the store.
/// </summary>
public sealed partial class TrackingService(ITrackingStore store, IArtifactStore artifacts, TimeProvider time) : ITracking
{
    /// <summary>The current time in Unix milliseconds, from the injected clock (for timestamps a caller did not give).</summary>
    public long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The experiment with this exact name (active or deleted), or null.</summary>
    public Task<Experiment?> FindExperimentByNameAsync(string name, CancellationToken ct = default) => store.FindExperimentByNameAsync(name, ct);

    /// <summary>The id of the experiment with this name, created when missing (as <c>mlflow.set_experiment</c>).</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken ct = default)
    {
        if (await store.FindExperimentByNameAsync(name, ct) is { } existing)
        {
            return existing.ExperimentId;
        }
        try
        {
            return await CreateExperimentAsync(name, null, [], ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
        {
            return (await store.FindExperimentByNameAsync(name, ct))!.ExperimentId;
        }
    }

    public async Task<string> CreateExperimentAsync(string? name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        TrackingValidation.Name(name, "experiment");
        artifactLocation = AbsoluteLocation(artifactLocation);
        TrackingValidation.ArtifactLocation(artifactLocation);
        ValidateTags(tags);
        return await store.CreateExperimentAsync(name!, string.IsNullOrEmpty(artifactLocation) ? null : artifactLocation, tags, ct);
    }

    /// <summary>A relative path (no scheme) is taken relative to the server's working directory, as MLflow's server does.</summary>
    private static string? AbsoluteLocation(string? location)
    {
        if (string.IsNullOrEmpty(location) || Path.IsPathRooted(location) || location.Any(char.IsControl))
        {
            return location;
        }
        var colon = location.IndexOf(':', StringComparison.Ordinal);
        var hasScheme = colon > 1 && location[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
        return hasScheme ? location : Path.GetFullPath(location);
    }

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default) => store.GetExperimentAsync(experimentId, ct);

    public async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken ct = default) =>
        await store.FindExperimentByNameAsync(name, ct) ?? throw KilnException.NotFound($"Could not find experiment with name '{name}'.");

    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, IReadOnlyList<string>? orderBy, ViewType viewType, int? maxResults, string? pageToken, CancellationToken ct = default)
    {
        var query = new ExperimentQuery(
            FilterParser.ParseFilter(filter, SearchSchema.Experiments),
            FilterParser.ParseOrderBy(orderBy, SearchSchema.Experiments),
            viewType,
            TrackingValidation.MaxResults(maxResults, TrackingLimits.MaxSearchResults),
            PageToken.Offset(pageToken));
        return store.SearchExperimentsAsync(query, ct);
    }

    public Task RenameExperimentAsync(string experimentId, string? newName, CancellationToken ct = default)
    {
        TrackingValidation.Name(newName, "experiment");
        return store.RenameExperimentAsync(experimentId, newName!, ct);
    }

    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) => store.SetExperimentLifecycleAsync(experimentId, LifecycleStage.Deleted, ct);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) => store.SetExperimentLifecycleAsync(experimentId, LifecycleStage.Active, ct);

    public Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken ct = default)
    {
        ValidateTags([tag]);
        return store.SetExperimentTagAsync(experimentId, tag, ct);
    }

    public Task<Run> CreateRunAsync(string? experimentId, string? userId, string? runName, long? startTime, IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        ValidateTags(tags);
        ValidateRunName(runName);
        return store.CreateRunAsync(new NewRun(
            string.IsNullOrEmpty(experimentId) ? "0" : experimentId,
            string.IsNullOrEmpty(runName) ? null : runName,
            userId ?? "",
            startTime ?? NowMs(),
            tags), ct);
    }

    public Task<Run> GetRunAsync(string runId, CancellationToken ct = default) => store.GetRunAsync(runId, ct);

    public Task<RunInfo> UpdateRunAsync(string runId, string? status, long? endTime, string? runName, CancellationToken ct = default)
    {
        ValidateRunName(runName);
        return store.UpdateRunAsync(runId, status is null ? null : RunStatusNames.Parse(status), endTime, runName, ct);
    }

    /// <summary>A run name may be empty (one is generated) but not over-long or hold control characters.</summary>
    private static void ValidateRunName(string? runName)
    {
        if (runName is not null && (runName.Length > TrackingLimits.MaxNameLength || runName.Any(char.IsControl)))
        {
            TrackingValidation.Name(runName, "run");
        }
    }

    public Task DeleteRunAsync(string runId, CancellationToken ct = default) => store.SetRunLifecycleAsync(runId, LifecycleStage.Deleted, ct);

    public Task RestoreRunAsync(string runId, CancellationToken ct = default) => store.SetRunLifecycleAsync(runId, LifecycleStage.Active, ct);

    /// <summary>Validates the whole batch first: an invalid batch is rejected whole and writes nothing.</summary>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        TrackingValidation.Batch(metrics, parameters, tags);
        return store.LogBatchAsync(runId, metrics, parameters, tags, ct);
    }

    public Task LogMetricAsync(string runId, Metric metric, CancellationToken ct = default) => LogBatchAsync(runId, [metric], [], [], ct);

    public Task LogParamAsync(string runId, Param param, CancellationToken ct = default) => LogBatchAsync(runId, [], [param], [], ct);

    public Task SetTagAsync(string runId, Tag tag, CancellationToken ct = default) => LogBatchAsync(runId, [], [], [tag], ct);

    public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) => store.DeleteRunTagAsync(runId, key, ct);

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default)
    {
        foreach (var input in inputs)
        {
            if (string.IsNullOrEmpty(input.Dataset.Name) || string.IsNullOrEmpty(input.Dataset.Digest))
            {
                throw KilnException.Invalid("Every dataset input needs a non-empty 'name' and 'digest'.");
            }
            var d = input.Dataset;
            foreach (var (field, value) in new[] { ("name", d.Name), ("digest", d.Digest), ("source_type", d.SourceType), ("source", d.Source), ("schema", d.Schema), ("profile", d.Profile) })
            {
                TrackingValidation.NoNul(value, $"dataset field '{field}'");
            }
            ValidateTags(input.Tags);
        }
        return store.LogInputsAsync(runId, inputs, ct);
    }

    public Task<Page<Run>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int? maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken ct = default)
    {
        var query = new RunQuery(
            experimentIds,
            FilterParser.ParseFilter(filter, SearchSchema.Runs),
            FilterParser.ParseOrderBy(orderBy, SearchSchema.Runs),
            viewType,
            TrackingValidation.MaxResults(maxResults, TrackingLimits.MaxSearchResults),
            PageToken.Offset(pageToken));
        return store.SearchRunsAsync(query, ct);
    }

    public Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int? maxResults, string? pageToken, CancellationToken ct = default) =>
        store.GetMetricHistoryAsync(runId, key, TrackingValidation.MaxResults(maxResults ?? TrackingLimits.MaxMetricHistoryResults, TrackingLimits.MaxMetricHistoryResults),
            MetricCursor.Parse(pageToken), ct);

    private static void ValidateTags(IReadOnlyList<Tag> tags)
    {
        foreach (var tag in tags)
        {
            TrackingValidation.Key(tag.Key, "tag");
            TrackingValidation.TagValue(tag.Key, tag.Value);
        }
    }
}
