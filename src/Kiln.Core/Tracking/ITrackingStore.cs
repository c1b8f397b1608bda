namespace Kiln.Core.Tracking;

/// <summary>
/// The store for experiment tracking, given out by an <see cref="Stores.IMetadataStore"/> (which owns the connection).
/// Implementations pass one shared contract test suite. Every write is one transaction: a failed call leaves nothing behind.
/// Missing experiments and runs raise RESOURCE_DOES_NOT_EXIST.
/// </summary>
public interface ITrackingStore
{
    /// <summary>Creates an experiment and returns its id; RESOURCE_ALREADY_EXISTS if the name is taken.</summary>
    Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    /// <summary>The experiment with this id, active or deleted, with its tags.</summary>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default);

    /// <summary>The experiment with this exact name (active or deleted), or null.</summary>
    Task<Experiment?> FindExperimentByNameAsync(string name, CancellationToken ct = default);

    /// <summary>One page of the experiments matching <paramref name="query"/>; by default newest first (creation_time DESC).</summary>
    Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default);

    /// <summary>Renames an active experiment; RESOURCE_ALREADY_EXISTS if another experiment has the name.</summary>
    Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default);

    /// <summary>Soft-deletes or restores an experiment together with its runs.</summary>
    Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, CancellationToken ct = default);

    /// <summary>Sets (adds or overwrites) a tag on an active experiment.</summary>
    Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken ct = default);

    /// <summary>Creates a run in an active experiment.</summary>
    Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default);

    /// <summary>The run with this id, active or deleted: info, latest metrics, params, tags and dataset inputs.</summary>
    Task<Run> GetRunAsync(string runId, CancellationToken ct = default);

    /// <summary>
    /// Updates an active run's status, end time (Unix milliseconds) and name (kept in the <c>mlflow.runName</c> tag);
    /// null leaves a field unchanged. Returns the updated info.
    /// </summary>
    Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken ct = default);

    /// <summary>Soft-deletes or restores a run.</summary>
    Task SetRunLifecycleAsync(string runId, LifecycleStage stage, CancellationToken ct = default);

    /// <summary>
    /// The one write primitive for run data: all or nothing. Rejects a param whose stored value differs,
    /// and any write to a deleted run.
    /// </summary>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    /// <summary>Removes a tag from an active run; RESOURCE_DOES_NOT_EXIST if the run has no such tag.</summary>
    Task DeleteRunTagAsync(string runId, string key, CancellationToken ct = default);

    /// <summary>
    /// Records datasets an active run read. A dataset is stored once per experiment (by name and digest);
    /// logging the same input again only updates its tags.
    /// </summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default);

    /// <summary>One page of the runs matching <paramref name="query"/>; by default newest first (start_time DESC), then by run id.</summary>
    Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default);

    /// <summary>
    /// One page of a metric's points in <see cref="MetricOrder"/> (exact duplicates once): up to <paramref name="maxResults"/>
    /// points after <paramref name="after"/> (null: from the first). Memory is bounded by the page, not the history.
    /// </summary>
    Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int maxResults, MetricCursor? after, CancellationToken ct = default);

    /// <summary>The distinct (experiment, dataset name, digest, context) of the inputs of the given experiments' runs, at most <paramref name="maxResults"/>.</summary>
    Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<string> experimentIds, int maxResults, CancellationToken ct = default);
}
