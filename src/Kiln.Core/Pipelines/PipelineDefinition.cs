namespace Kiln.Core.Pipelines;

/// <summary>A pipeline file stored in the metadata store (<c>kiln pipeline apply</c>), so that servers, workers and triggers know it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Yaml">The file's text.</param>
/// <param name="Hash">The SHA-256 of the text (hex).</param>
/// <param name="UpdatedAt">When it was last stored (ms since the epoch).</param>
/// <param name="UpdatedBy">Who stored it.</param>
public sealed record PipelineDefinition(string Name, string Yaml, string Hash, long UpdatedAt, string UpdatedBy);

/// <summary>A step result kept for reuse: a later step with the same cache key takes these outputs instead of running.</summary>
/// <param name="Key">The cache key.</param>
/// <param name="Pipeline">The pipeline that made it.</param>
/// <param name="Step">The step that made it.</param>
/// <param name="Outputs">The outputs it gave.</param>
/// <param name="RunId">The pipeline run that made it.</param>
/// <param name="TrackingRunId">The tracking run of that step, or null.</param>
/// <param name="CreatedAt">When (ms since the epoch).</param>
public sealed record StepCacheEntry(string Key, string Pipeline, string Step, IReadOnlyDictionary<string, string> Outputs, string RunId, string? TrackingRunId, long CreatedAt);

/// <summary>A step a worker has claimed, with the run it belongs to.</summary>
/// <param name="Run">The pipeline run.</param>
/// <param name="Step">The step, as claimed (status running, attempt counted, lease set).</param>
public sealed record ClaimedStep(PipelineRun Run, StepRun Step);

/// <summary>Changes to one run decided from its current state (<see cref="IPipelineStore.UpdateRunAsync"/>).</summary>
/// <param name="Run">The run as it should be stored, or null to leave it.</param>
/// <param name="Steps">The steps whose rows change, whole.</param>
public sealed record RunChanges(PipelineRun? Run, IReadOnlyList<StepRun> Steps);
