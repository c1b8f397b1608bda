namespace Kiln.Engine.Pipelines.Execution;

/// <summary>A built-in operation a step <c>uses:</c> (one per entry of <see cref="Spec.PipelineOperations"/>).</summary>
public interface IStepOperation
{
    /// <summary>Its name, e.g. <c>train</c>.</summary>
    string Name { get; }

    /// <summary>
    /// What its result depends on besides its inputs' content — e.g. which version an alias names now — as text for the cache
    /// key; null when its result must never be reused (it reads the clock, like <c>monitor</c>).
    /// </summary>
    Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct);

    /// <summary>
    /// Whether a cached result of it still holds in the world it changed — the alias it moved still names that version, the
    /// deployment still routes to that model — so that a re-run with nothing new is all cache hits, yet a later change by
    /// someone else (a rollback) makes it run again.
    /// </summary>
    Task<bool> StillHoldsAsync(StepContext step, IReadOnlyDictionary<string, string> outputs, CancellationToken ct) => Task.FromResult(true);

    /// <summary>Runs it and returns its outputs; throws <see cref="StepRejectedException"/> for a failure no retry mends.</summary>
    Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct);
}
