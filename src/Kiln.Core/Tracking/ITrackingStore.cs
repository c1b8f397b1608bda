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

    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default);

    /// <summary>The experiment with this exact name (active or deleted), or null.</summary>
    Task<Experiment?> FindExperimentByNameAsync(string name, CancellationToken ct = default);

    Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default);

    Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default);

    /// <summary>Soft-deletes or restores an experiment together with its runs.</summary>
    Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, CancellationToken ct = default);

    Task SetExperimentTagAsync(string experimentId, Tag tag, CancellationToken ct = default);

    /// <summary>Creates a run in an active experiment.</summary>
    Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default);

    Task<Run> GetRunAsync(string runId, CancellationToken ct = default);

    Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken ct = default);

    Task SetRunLifecycleAsync(string runId, LifecycleStage stage, CancellationToken ct = default);

    /// <summary>
    /// The one write primitive for run data: all or nothing. Rejects a param whose stored value differs,
    /// and any write to a deleted run.
    /// </summary>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    Task DeleteRunTagAsync(string runId, string key, CancellationToken ct = default);

    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default);

    Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default);

    /// <summary>Every point of one metric, ordered by step then timestamp, paged.</summary>
    Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int maxResults, int offset, CancellationToken ct = default);
}
