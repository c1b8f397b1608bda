namespace Kiln.Core.Pipelines;

/// <summary>One step of a pipeline run: where it is in its life, who holds it, and what it gave.</summary>
/// <param name="RunId">The pipeline run.</param>
/// <param name="Step">The step's name.</param>
/// <param name="Status">One of <see cref="StepStatuses"/>.</param>
/// <param name="Attempt">How many times a worker has claimed it (a claim after a lost lease counts too).</param>
/// <param name="Failures">How many attempts failed (retries are allowed while this is at most the step's <c>retries</c>).</param>
/// <param name="Labels">The worker labels it needs, sorted and comma-joined ("" for any worker).</param>
/// <param name="ReadyAt">The earliest time a worker may claim it (later than now while it backs off after a failure).</param>
/// <param name="Worker">The worker that holds or last held it, or null.</param>
/// <param name="LeaseUntil">When the holder's lease ends unless it beats again, or null.</param>
/// <param name="StartedAt">When the latest attempt started, or null.</param>
/// <param name="FinishedAt">When it ended, or null.</param>
/// <param name="Outputs">What it gave later steps.</param>
/// <param name="CacheKey">The hash of its definition, inputs and Kiln's version, once computed.</param>
/// <param name="CachedFrom">For a cache hit, the pipeline run whose result it reused.</param>
/// <param name="Error">Why it failed or was not run, or null.</param>
/// <param name="TrackingRunId">The tracking run that records it (with its log as an artifact), or null.</param>
public sealed record StepRun(string RunId, string Step, string Status, int Attempt, int Failures, string Labels, long ReadyAt, string? Worker, long? LeaseUntil,
    long? StartedAt, long? FinishedAt, IReadOnlyDictionary<string, string> Outputs, string? CacheKey, string? CachedFrom, string? Error, string? TrackingRunId)
{
    /// <summary>True once it can change no more (unless the run is resumed).</summary>
    public bool IsFinished => StepStatuses.IsFinished(Status);
}

/// <summary>A step's statuses.</summary>
public static class StepStatuses
{
    /// <summary>Waiting for the steps it needs.</summary>
    public const string Pending = "pending";

    /// <summary>Waiting for a worker.</summary>
    public const string Ready = "ready";

    /// <summary>A worker holds it.</summary>
    public const string Running = "running";

    /// <summary>It ran and succeeded.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Its cache key matched an earlier success: its outputs were reused and nothing ran.</summary>
    public const string Cached = "cached";

    /// <summary>Its <c>when:</c> condition was false, or a step it needs was skipped.</summary>
    public const string Skipped = "skipped";

    /// <summary>It failed, retries spent.</summary>
    public const string Failed = "failed";

    /// <summary>A step it needs failed or was cancelled, so it never ran.</summary>
    public const string Blocked = "blocked";

    /// <summary>Its run was cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>True for every status a step ends in.</summary>
    public static bool IsFinished(string status) => status is Succeeded or Cached or Skipped or Failed or Blocked or Cancelled;

    /// <summary>True when the steps that need it may run.</summary>
    public static bool IsDone(string status) => status is Succeeded or Cached;
}
