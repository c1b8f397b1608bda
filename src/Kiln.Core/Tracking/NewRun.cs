namespace Kiln.Core.Tracking;

/// <summary>What creating a run needs; the store assigns the id and artifact URI.</summary>
/// <param name="ExperimentId">The active experiment to create the run in.</param>
/// <param name="RunName">The run's name; null takes it from the <c>mlflow.runName</c> tag, else a generated one.</param>
/// <param name="UserId">Who started the run.</param>
/// <param name="StartTime">When the run started, in Unix milliseconds.</param>
/// <param name="Tags">Tags to set on the new run.</param>
public sealed record NewRun(string ExperimentId, string? RunName, string UserId, long StartTime, IReadOnlyList<Tag> Tags);
