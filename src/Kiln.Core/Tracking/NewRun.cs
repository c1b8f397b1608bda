namespace Kiln.Core.Tracking;

/// <summary>What creating a run needs; the store assigns the id and artifact URI.</summary>
public sealed record NewRun(string ExperimentId, string? RunName, string UserId, long StartTime, IReadOnlyList<Tag> Tags);
