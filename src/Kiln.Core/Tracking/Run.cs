namespace Kiln.Core.Tracking;

/// <summary>A run's identity and state.</summary>
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
public sealed record RunData(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    public static RunData Empty { get; } = new([], [], []);
}

/// <summary>One execution of training code: info, logged data and the datasets it read.</summary>
public sealed record Run(RunInfo Info, RunData Data, IReadOnlyList<DatasetInput> Inputs);
