using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines.Spec;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>What a step runs with: its definition, its inputs with every expression replaced, where its log goes, who runs it.</summary>
/// <param name="Run">The pipeline run.</param>
/// <param name="Definition">The step as the pipeline file states it.</param>
/// <param name="With">Its <c>with:</c> (or a command's <c>env:</c>) values, expressions replaced.</param>
/// <param name="Inputs">A command's <c>inputs:</c>, expressions replaced.</param>
/// <param name="Outputs">A command's declared <c>outputs:</c> (name → path), expressions replaced.</param>
/// <param name="Log">The step's log (kept as an artifact of its tracking run).</param>
/// <param name="TrackingRunId">The step's tracking run, or null.</param>
/// <param name="ExperimentName">The pipeline's experiment (operations that record runs record them there unless told otherwise).</param>
public sealed record StepContext(PipelineRun Run, PipelineStep Definition, IReadOnlyDictionary<string, string> With, IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, string> Outputs, TextWriter Log, string? TrackingRunId, string ExperimentName)
{
    /// <summary>The value of <c>with: NAME</c>, or null.</summary>
    public string? Get(string name) => With.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>The value of <c>with: NAME</c>, which the validator has already made sure is there.</summary>
    public string Required(string name) => Get(name) ?? throw new StepRejectedException($"'{name}' is empty: give it a value under with:.");

    /// <summary>The values under <c>with: NAME:</c> (flattened as <c>NAME.KEY</c>), keyed by KEY.</summary>
    public IReadOnlyDictionary<string, string> Group(string name) =>
        With.Where(kv => kv.Key.StartsWith(name + ".", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(name.Length + 1)..], kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>A boolean <c>with:</c> value (true/false), else <paramref name="fallback"/>.</summary>
    public bool Flag(string name, bool fallback) => Get(name) is { } v ? v.Equals("true", StringComparison.OrdinalIgnoreCase) : fallback;

    /// <summary>The user the pipeline runs as (its run's user).</summary>
    public string User => Run.User;
}

/// <summary>A step that failed for a reason no retry mends: a gate that rejected the model, data that failed validation, a bad input.</summary>
/// <param name="message">What happened and what to do.</param>
public sealed class StepRejectedException(string message) : Exception(message);
