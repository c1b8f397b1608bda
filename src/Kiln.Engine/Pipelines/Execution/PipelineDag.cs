using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines.Spec;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>What became of one attempt at a step.</summary>
/// <param name="Status">Succeeded, cached or failed.</param>
/// <param name="Outputs">What it gave (empty when it failed).</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="CacheKey">Its cache key, when computed.</param>
/// <param name="CachedFrom">For a cache hit, the run whose result it reused.</param>
/// <param name="TrackingRunId">Its tracking run, or null.</param>
/// <param name="Retryable">False for a failure that no retry can mend (e.g. a gate that rejected the model).</param>
public sealed record StepOutcome(string Status, IReadOnlyDictionary<string, string> Outputs, string? Error, string? CacheKey, string? CachedFrom, string? TrackingRunId,
    bool Retryable = true);

/// <summary>
/// The pipeline's state machine, free of I/O: the steps a new run starts with, what a finished attempt changes, which
/// pending steps become ready (or skipped, or blocked) once the steps they need are done, and how a run ends, is cancelled
/// or resumed. The store applies its decisions in one transaction under the run's lock.
/// </summary>
public static class PipelineDag
{
    /// <summary>How many times a step may be claimed again after its worker died, beyond its retries, before it fails.</summary>
    public const int LostLeaseAllowance = 3;

    /// <summary>
    /// The steps of a new run: those that need nothing are ready (or skipped, when their <c>when:</c> is false), the rest
    /// pending; every step pending when <paramref name="hold"/> (a run queued behind another, see <see cref="Release"/>).
    /// </summary>
    public static IReadOnlyList<StepRun> Initial(PipelineSpec spec, PipelineRun run, long now, bool hold = false)
    {
        var pending = spec.Steps.Select(s => new StepRun(run.Id, s.Name, StepStatuses.Pending, 0, 0, LabelKey(s.Labels), now, null, null, null, null,
            new Dictionary<string, string>(), null, null, null, null)).ToList();
        if (hold)
        {
            return pending;
        }
        var changes = Advance(spec, run, pending, now);
        return pending.Select(s => changes.Steps.FirstOrDefault(c => c.Step == s.Step) ?? s).ToList();
    }

    /// <summary>Lets a held (waiting) run start: it is queued and its first steps become ready. Null when it is not waiting.</summary>
    public static RunChanges? Release(PipelineSpec spec, PipelineRun run, IReadOnlyList<StepRun> steps, long now)
    {
        if (run.Status != PipelineStatuses.Waiting)
        {
            return null;
        }
        var queued = run with { Status = PipelineStatuses.Queued };
        var changes = Advance(spec, queued, steps, now);
        return changes with { Run = changes.Run ?? queued };
    }

    /// <summary>The label key a step is stored with: its labels sorted and comma-joined.</summary>
    public static string LabelKey(IEnumerable<string> labels) => string.Join(",", labels.Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0).Distinct().Order(StringComparer.Ordinal));

    /// <summary>Every label key a worker with <paramref name="labels"/> may claim: each subset, sorted and joined (the empty one included).</summary>
    public static IReadOnlyList<string> ClaimableLabelKeys(IEnumerable<string> labels)
    {
        var list = LabelKey(labels).Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (list.Length > 10)
        {
            throw new ArgumentException($"A worker may have at most 10 labels; it has {list.Length}.", nameof(labels));
        }
        var keys = new List<string>(1 << list.Length);
        for (var mask = 0; mask < 1 << list.Length; mask++)
        {
            keys.Add(string.Join(",", list.Where((_, i) => (mask & (1 << i)) != 0)));
        }
        return keys;
    }

    /// <summary>
    /// Applies a worker's outcome for <paramref name="stepName"/>, if that worker still holds that attempt (else null: its lease
    /// was lost and another worker owns the step), then advances the run.
    /// </summary>
    public static RunChanges? Finish(PipelineSpec spec, PipelineRun run, IReadOnlyList<StepRun> steps, string stepName, string worker, int attempt, StepOutcome outcome, long now)
    {
        var current = steps.FirstOrDefault(s => s.Step == stepName);
        if (current is null || current.Status != StepStatuses.Running || current.Worker != worker || current.Attempt != attempt)
        {
            return null;
        }
        var definition = spec.Step(stepName)!;
        StepRun updated;
        if (outcome.Status == StepStatuses.Failed && outcome.Retryable && current.Failures < definition.Retries)
        {
            var wait = (long)(definition.Backoff.TotalMilliseconds * Math.Pow(2, current.Failures));
            updated = current with
            {
                Status = StepStatuses.Ready, Failures = current.Failures + 1, ReadyAt = now + wait, LeaseUntil = null, Error = outcome.Error, CacheKey = outcome.CacheKey,
                TrackingRunId = outcome.TrackingRunId ?? current.TrackingRunId,
            };
        }
        else
        {
            updated = current with
            {
                Status = outcome.Status, Failures = current.Failures + (outcome.Status == StepStatuses.Failed ? 1 : 0), FinishedAt = now, LeaseUntil = null,
                Outputs = outcome.Outputs, Error = outcome.Error, CacheKey = outcome.CacheKey, CachedFrom = outcome.CachedFrom, TrackingRunId = outcome.TrackingRunId ?? current.TrackingRunId,
            };
        }
        return Advance(spec, run, Replace(steps, updated), now, [updated]);
    }

    /// <summary>
    /// Readies every pending step whose needs are all done and whose condition holds; skips those whose condition is false or
    /// that need a skipped step; blocks those that need a failed, blocked or cancelled step; and ends the run when nothing is
    /// left to run. <paramref name="alreadyChanged"/> are steps the caller changed (written too).
    /// </summary>
    public static RunChanges Advance(PipelineSpec spec, PipelineRun run, IReadOnlyList<StepRun> steps, long now, IReadOnlyList<StepRun>? alreadyChanged = null)
    {
        var byName = steps.ToDictionary(s => s.Step, StringComparer.Ordinal);
        var changed = new Dictionary<string, StepRun>(StringComparer.Ordinal);
        foreach (var s in alreadyChanged ?? [])
        {
            changed[s.Step] = s;
        }
        for (var progress = true; progress;)
        {
            progress = false;
            foreach (var definition in spec.Steps)
            {
                var step = byName[definition.Name];
                if (step.Status != StepStatuses.Pending)
                {
                    continue;
                }
                var needs = definition.Needs.Select(n => byName[n]).ToList();
                if (needs.Any(n => !n.IsFinished))
                {
                    continue;
                }
                StepRun next;
                if (needs.FirstOrDefault(n => n.Status is StepStatuses.Failed or StepStatuses.Blocked or StepStatuses.Cancelled) is { } broken)
                {
                    next = step with { Status = StepStatuses.Blocked, FinishedAt = now, Error = $"it needs '{broken.Step}', which {Verb(broken.Status)}." };
                }
                else if (needs.FirstOrDefault(n => n.Status == StepStatuses.Skipped) is { } skipped)
                {
                    next = step with { Status = StepStatuses.Skipped, FinishedAt = now, Error = $"it needs '{skipped.Step}', which was skipped." };
                }
                else if (definition.When is { } when && !Conditions.Holds(when, run.Params, byName))
                {
                    next = step with { Status = StepStatuses.Skipped, FinishedAt = now, Error = $"when: {when} is false." };
                }
                else
                {
                    next = step with { Status = StepStatuses.Ready, ReadyAt = now };
                }
                byName[definition.Name] = next;
                changed[definition.Name] = next;
                progress = true;
            }
        }
        return new RunChanges(Conclude(run, byName.Values, now), changed.Values.ToList());
    }

    /// <summary>Cancels the run: every step not yet finished is cancelled (a running one's worker sees it at its next heartbeat).</summary>
    public static RunChanges? Cancel(PipelineRun run, IReadOnlyList<StepRun> steps, string reason, long now)
    {
        if (run.IsFinished)
        {
            return null;
        }
        var changed = steps.Where(s => !s.IsFinished).Select(s => s with { Status = StepStatuses.Cancelled, FinishedAt = now, LeaseUntil = null, Error = reason }).ToList();
        return new RunChanges(run with { Status = PipelineStatuses.Cancelled, FinishedAt = now, Error = reason }, changed);
    }

    /// <summary>
    /// Resumes a failed or cancelled run from where it stopped: steps that succeeded (or were cache hits or skipped) keep their
    /// outputs; failed, blocked and cancelled steps go back to pending with their retries renewed, and the run advances.
    /// </summary>
    public static RunChanges Resume(PipelineSpec spec, PipelineRun run, IReadOnlyList<StepRun> steps, long now)
    {
        var reset = steps.Select(s => s.Status is StepStatuses.Failed or StepStatuses.Blocked or StepStatuses.Cancelled
            ? s with { Status = StepStatuses.Pending, Failures = 0, FinishedAt = null, Worker = null, LeaseUntil = null, Error = null, Outputs = new Dictionary<string, string>() }
            : s).ToList();
        var changed = reset.Where((s, i) => !ReferenceEquals(s, steps[i])).ToList();
        var reopened = run with { Status = PipelineStatuses.Running, FinishedAt = null, Error = null };
        var result = Advance(spec, reopened, reset, now, changed);
        return result with { Run = result.Run ?? reopened };
    }

    private static PipelineRun? Conclude(PipelineRun run, IEnumerable<StepRun> steps, long now)
    {
        var list = steps.ToList();
        if (run.IsFinished || list.Any(s => !s.IsFinished))
        {
            return null;
        }
        var failed = list.Where(s => s.Status == StepStatuses.Failed).ToList();
        if (failed.Count > 0)
        {
            return run with { Status = PipelineStatuses.Failed, FinishedAt = now, Error = string.Join("; ", failed.Select(f => $"step '{f.Step}' failed: {f.Error}")) };
        }
        return list.Any(s => s.Status == StepStatuses.Cancelled)
            ? run with { Status = PipelineStatuses.Cancelled, FinishedAt = now }
            : run with { Status = PipelineStatuses.Succeeded, FinishedAt = now, Error = null };
    }

    private static string Verb(string status) => status switch
    {
        StepStatuses.Failed => "failed",
        StepStatuses.Blocked => "did not run",
        _ => "was cancelled",
    };

    private static List<StepRun> Replace(IReadOnlyList<StepRun> steps, StepRun updated) => steps.Select(s => s.Step == updated.Step ? updated : s).ToList();
}
