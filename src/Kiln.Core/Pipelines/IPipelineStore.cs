namespace Kiln.Core.Pipelines;

/// <summary>
/// Pipelines, their runs and steps, the step cache, and the queue workers claim steps from. Claims and updates are
/// transactional: a step is held by one worker at a time (its lease), and every change to a run is decided from the run's
/// state read in the same transaction, under the run row's lock.
/// </summary>
public interface IPipelineStore
{
    /// <summary>Stores (or replaces) a pipeline file.</summary>
    Task SaveAsync(PipelineDefinition pipeline, CancellationToken ct = default);

    /// <summary>The stored pipeline named <paramref name="name"/>, or null.</summary>
    Task<PipelineDefinition?> GetAsync(string name, CancellationToken ct = default);

    /// <summary>Every stored pipeline, by name.</summary>
    Task<IReadOnlyList<PipelineDefinition>> ListAsync(CancellationToken ct = default);

    /// <summary>Deletes a stored pipeline (its runs stay); false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken ct = default);

    /// <summary>Stores a new run and its steps.</summary>
    Task CreateRunAsync(PipelineRun run, IReadOnlyList<StepRun> steps, CancellationToken ct = default);

    /// <summary>The run <paramref name="id"/>, or null.</summary>
    Task<PipelineRun?> GetRunAsync(string id, CancellationToken ct = default);

    /// <summary>The newest runs first, of one pipeline or all, optionally only those with one of <paramref name="statuses"/>.</summary>
    Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? pipeline, IReadOnlyList<string>? statuses, int max, CancellationToken ct = default);

    /// <summary>A run's steps, in the order they were stored.</summary>
    Task<IReadOnlyList<StepRun>> StepsAsync(string runId, CancellationToken ct = default);

    /// <summary>
    /// Claims the oldest claimable step for <paramref name="worker"/>: a ready step whose time has come, or a running step whose
    /// lease ran out (its worker died), needing only labels the worker has (<paramref name="labelSets"/>: every subset of the
    /// worker's labels, each sorted and comma-joined). Marks it running with a lease to <paramref name="leaseUntil"/>, and its run
    /// running. <paramref name="onlyRun"/> limits it to one run's steps. Null when nothing is claimable.
    /// </summary>
    Task<ClaimedStep?> ClaimAsync(string worker, IReadOnlyList<string> labelSets, long now, long leaseUntil, string? onlyRun = null, CancellationToken ct = default);

    /// <summary>Extends a held lease; false when the worker no longer holds the step (lease lost, run cancelled): it must stop.</summary>
    Task<bool> HeartbeatAsync(string runId, string step, string worker, int attempt, long leaseUntil, CancellationToken ct = default);

    /// <summary>
    /// Reads the run and its steps under the run's lock, asks <paramref name="decide"/> what changes, and writes the changes in
    /// the same transaction. Returns the changes written, or null when <paramref name="decide"/> returned null or there is no such run.
    /// </summary>
    Task<RunChanges?> UpdateRunAsync(string runId, Func<PipelineRun, IReadOnlyList<StepRun>, RunChanges?> decide, CancellationToken ct = default);

    /// <summary>Each trigger's watermark for <paramref name="pipeline"/> (trigger key → what it last saw).</summary>
    Task<IReadOnlyDictionary<string, string>> TriggerMarksAsync(string pipeline, CancellationToken ct = default);

    /// <summary>
    /// Moves a trigger's watermark from <paramref name="expected"/> (null: none yet) to <paramref name="next"/> if it still is
    /// <paramref name="expected"/>: true for the one caller that moved it, so that of many servers only one fires.
    /// </summary>
    Task<bool> AdvanceTriggerAsync(string pipeline, string key, string? expected, string next, CancellationToken ct = default);

    /// <summary>The cached result for <paramref name="key"/>, or null.</summary>
    Task<StepCacheEntry?> GetCachedAsync(string key, CancellationToken ct = default);

    /// <summary>Stores a result for reuse (replacing one with the same key).</summary>
    Task PutCachedAsync(StepCacheEntry entry, CancellationToken ct = default);
}
