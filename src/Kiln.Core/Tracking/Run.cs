namespace Kiln.Core.Tracking;

/// <summary>A run's identity and state (MLflow's <c>RunInfo</c>).</summary>
/// <param name="RunId">The run's id: 32 lowercase hex characters.</param>
/// <param name="RunName">The run's display name (also the <c>mlflow.runName</c> tag).</param>
/// <param name="ExperimentId">The id of the experiment the run belongs to.</param>
/// <param name="UserId">Who started the run.</param>
/// <param name="Status">The run's state: running, scheduled, finished, failed or killed.</param>
/// <param name="StartTime">When the run started, in Unix milliseconds.</param>
/// <param name="EndTime">When the run ended, in Unix milliseconds; null while it has not ended.</param>
/// <param name="ArtifactUri">Where the run's artifacts are kept: the experiment's artifact location + <c>/{run_id}/artifacts</c>.</param>
/// <param name="LifecycleStage">Whether the run is active or soft-deleted.</param>
public sealed record RunInfo(
    string RunId,
    string RunName,
    string ExperimentId,
    string UserId,
    RunStatus Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    LifecycleStage LifecycleStage);

/// <summary>What a run logged: the latest value of each metric, its params and tags.</summary>
/// <param name="Metrics">The latest point of each metric (highest step, then latest timestamp); the full series is the metric history.</param>
/// <param name="Params">The run's params.</param>
/// <param name="Tags">The run's tags, including system tags such as <c>mlflow.runName</c>.</param>
public sealed record RunData(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    /// <summary>No metrics, params or tags.</summary>
    public static RunData Empty { get; } = new([], [], []);
}

/// <summary>One execution of training code: info, logged data and the datasets it read.</summary>
/// <param name="Info">The run's identity and state.</param>
/// <param name="Data">The run's latest metrics, params and tags.</param>
/// <param name="Inputs">The datasets the run read.</param>
public sealed record Run(RunInfo Info, RunData Data, IReadOnlyList<DatasetInput> Inputs);
