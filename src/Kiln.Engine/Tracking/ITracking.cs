using Kiln.Core.Artifacts;
using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking;

/// <summary>
/// Experiment tracking as commands use it, wherever the runs live: <see cref="TrackingService"/> over the local store,
/// or <see cref="Remote.RemoteTracking"/> over a tracking server's REST API and artifact proxy. Training, search, scoring
/// and the CLI take this interface, so they do not care which.
/// </summary>
public interface ITracking
{
    /// <summary>The current time in Unix milliseconds (for timestamps a caller did not give).</summary>
    long NowMs();

    /// <summary>The id of the experiment with this name, created when missing (as <c>mlflow.set_experiment</c>).</summary>
    Task<string> GetOrCreateExperimentAsync(string name, CancellationToken ct = default);

    /// <summary>Creates an experiment and returns its id.</summary>
    Task<string> CreateExperimentAsync(string? name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    /// <summary>The experiment with this id; RESOURCE_DOES_NOT_EXIST if none.</summary>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default);

    /// <summary>The experiment with this name; RESOURCE_DOES_NOT_EXIST if none.</summary>
    Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken ct = default);

    /// <summary>One page of experiments matching MLflow's filter grammar.</summary>
    Task<Page<Experiment>> SearchExperimentsAsync(string? filter, IReadOnlyList<string>? orderBy, ViewType viewType, int? maxResults, string? pageToken, CancellationToken ct = default);

    /// <summary>Soft-deletes an experiment and its runs.</summary>
    Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default);

    /// <summary>Restores a deleted experiment and its runs.</summary>
    Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default);

    /// <summary>Creates a run (RUNNING); a null experiment id is the default experiment.</summary>
    Task<Run> CreateRunAsync(string? experimentId, string? userId, string? runName, long? startTime, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    /// <summary>A run with its latest metrics, params, tags and inputs.</summary>
    Task<Run> GetRunAsync(string runId, CancellationToken ct = default);

    /// <summary>Changes a run's status (a wire name such as <c>FINISHED</c>), end time or name; null keeps the current value.</summary>
    Task<RunInfo> UpdateRunAsync(string runId, string? status, long? endTime, string? runName, CancellationToken ct = default);

    /// <summary>Logs metrics, params and tags in one all-or-nothing batch.</summary>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default);

    /// <summary>Sets one tag on a run.</summary>
    Task SetTagAsync(string runId, Tag tag, CancellationToken ct = default);

    /// <summary>Records the datasets a run used.</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default);

    /// <summary>Records a model logged in a run (MLflow's <c>runs/log-model</c>): its MLmodel as JSON, appended to the run's <c>mlflow.log-model.history</c> tag.</summary>
    Task LogModelAsync(string runId, string? modelJson, CancellationToken ct = default);

    /// <summary>One page of runs of the given experiments matching MLflow's filter grammar.</summary>
    Task<Page<Run>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int? maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken ct = default);

    /// <summary>One page of a metric's history, ordered by step then timestamp.</summary>
    Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int? maxResults, string? pageToken, CancellationToken ct = default);

    /// <summary>The artifact store holding a run's artifacts and the path of the run's root inside it.</summary>
    Task<(IArtifactStore Store, string Path, string RootUri)> RunArtifactsAsync(string runId, CancellationToken ct = default);

    /// <summary>
    /// Ends a run that did not finish: KILLED when <paramref name="cancelled"/> (Ctrl+C, SIGTERM), else FAILED with
    /// the error's message recorded as the <see cref="TrackingService.ErrorTag"/> tag. Always writes, even if the caller's
    /// token is cancelled; a failure to record is swallowed so that the original error is the one the user sees.
    /// </summary>
    Task EndUnfinishedRunAsync(string runId, Exception error, bool cancelled);
}
