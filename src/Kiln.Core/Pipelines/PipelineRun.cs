namespace Kiln.Core.Pipelines;

/// <summary>One run of a pipeline: the spec it ran (kept whole, so a later edit never changes a run), its params, why it started and how it ended.</summary>
/// <param name="Id">Its id (32 hex digits).</param>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Status">One of <see cref="PipelineStatuses"/>.</param>
/// <param name="Trigger">What started it: manual, schedule, dataset, alias, alert or pipeline.</param>
/// <param name="Cause">What the trigger saw (e.g. <c>datasets:/applicants/ab12…</c>), or null.</param>
/// <param name="Params">The params it ran with, defaults filled in.</param>
/// <param name="SpecYaml">The pipeline file's text as it ran.</param>
/// <param name="Force">True when every step ran, cached or not.</param>
/// <param name="User">Who started it.</param>
/// <param name="CreatedAt">When it was queued (ms since the epoch).</param>
/// <param name="StartedAt">When its first step started, or null.</param>
/// <param name="FinishedAt">When it ended, or null.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="TrackingRunId">The tracking run that records it (its steps are child runs), or null.</param>
public sealed record PipelineRun(string Id, string Pipeline, string Status, string Trigger, string? Cause, IReadOnlyDictionary<string, string> Params, string SpecYaml,
    bool Force, string User, long CreatedAt, long? StartedAt, long? FinishedAt, string? Error, string? TrackingRunId)
{
    /// <summary>True once it can change no more.</summary>
    public bool IsFinished => PipelineStatuses.IsFinished(Status);
}

/// <summary>A pipeline run's statuses.</summary>
public static class PipelineStatuses
{
    /// <summary>Held back by its pipeline's <c>concurrency: queue</c> until the active run ends.</summary>
    public const string Waiting = "waiting";

    /// <summary>Waiting for its first step to start.</summary>
    public const string Queued = "queued";

    /// <summary>Steps are running or ready.</summary>
    public const string Running = "running";

    /// <summary>Every step succeeded, was a cache hit or was skipped by its condition.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>A step failed (steps that needed it did not run).</summary>
    public const string Failed = "failed";

    /// <summary>Cancelled by someone.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>True for succeeded, failed and cancelled.</summary>
    public static bool IsFinished(string status) => status is Succeeded or Failed or Cancelled;
}

/// <summary>What set a run off.</summary>
public static class PipelineTriggers
{
    /// <summary>Someone ran it (CLI, REST, console).</summary>
    public const string Manual = "manual";

    /// <summary>Its cron schedule.</summary>
    public const string Schedule = "schedule";

    /// <summary>A new version of a data set it watches.</summary>
    public const string Dataset = "dataset";

    /// <summary>A model alias it watches moved.</summary>
    public const string Alias = "alias";

    /// <summary>A monitoring alert on a deployment it watches.</summary>
    public const string Alert = "alert";

    /// <summary>Another pipeline finished.</summary>
    public const string Pipeline = "pipeline";
}
