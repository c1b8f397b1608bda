namespace Kiln.Core.Tracking;

/// <summary>A named group of runs.</summary>
/// <param name="ExperimentId">The experiment's id, a decimal integer as a string (<c>0</c> is the Default experiment).</param>
/// <param name="Name">The experiment's unique name (at most 500 characters).</param>
/// <param name="ArtifactLocation">The root URI under which the experiment's runs keep their artifacts.</param>
/// <param name="LifecycleStage">Whether the experiment is active or soft-deleted.</param>
/// <param name="CreationTime">When the experiment was created, in Unix milliseconds.</param>
/// <param name="LastUpdateTime">When the experiment was last renamed, deleted or restored, in Unix milliseconds.</param>
/// <param name="Tags">The experiment's tags.</param>
public sealed record Experiment(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    LifecycleStage LifecycleStage,
    long CreationTime,
    long LastUpdateTime,
    IReadOnlyList<Tag> Tags);
