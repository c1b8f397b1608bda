namespace Kiln.Engine.Pipelines.Spec;

/// <summary>A pipeline as its YAML file states it (<c>pipelines/NAME.yaml</c>): typed params and a DAG of steps.</summary>
/// <param name="Name">The pipeline's name (its <c>name:</c>, else the file's name without extension).</param>
/// <param name="Description">What it is for, or null.</param>
/// <param name="Params">Its params, in file order.</param>
/// <param name="Steps">Its steps, in file order.</param>
/// <param name="File">The file it was read from (for messages).</param>
/// <param name="On">What starts it by itself (<c>on:</c>); empty when only people do.</param>
/// <param name="Concurrency">What a trigger does while a run of it is active (<c>concurrency:</c>): allow another, skip, or queue it.</param>
public sealed record PipelineSpec(string Name, string? Description, IReadOnlyList<PipelineParam> Params, IReadOnlyList<PipelineStep> Steps, string File,
    PipelineOn? On = null, string Concurrency = ConcurrencyPolicies.Allow)
{
    /// <summary>The step named <paramref name="name"/>, or null.</summary>
    public PipelineStep? Step(string name) => Steps.FirstOrDefault(s => s.Name == name);
}

/// <summary>A typed param with its default.</summary>
/// <param name="Name">The name steps refer to as <c>${{ params.NAME }}</c>.</param>
/// <param name="Type">Its type.</param>
/// <param name="Default">Its default as written, or null when a run must give it (<c>-p NAME=VALUE</c>).</param>
/// <param name="Line">The line it is declared on.</param>
public sealed record PipelineParam(string Name, ParamType Type, string? Default, int Line);

/// <summary>The types a param may have; each checks its values (<see cref="ParamTypes.Check"/>).</summary>
public enum ParamType
{
    /// <summary>Any text.</summary>
    String,

    /// <summary>A whole number.</summary>
    Int,

    /// <summary>A number.</summary>
    Float,

    /// <summary>true or false.</summary>
    Bool,

    /// <summary>A data set version, <c>datasets:/NAME[/VERSION]</c>.</summary>
    Dataset,

    /// <summary>A model, <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c> or <c>runs:/ID/PATH</c>.</summary>
    Model,

    /// <summary>A file or folder path.</summary>
    Path,
}

/// <summary>One step: a built-in operation (<see cref="Uses"/>) or a command (<see cref="Run"/>).</summary>
/// <param name="Name">Its name (the key under <c>steps:</c>).</param>
/// <param name="Uses">The built-in operation (<see cref="PipelineOperations"/>), or null for a command.</param>
/// <param name="Run">The command line, or null for an operation.</param>
/// <param name="With">The operation's inputs (nested maps flattened as <c>params.rounds</c>), or a command's environment
/// (<c>env:</c>), as written, expressions included.</param>
/// <param name="Inputs">A command's inputs: files, folders, <c>datasets:/</c> or <c>models:/</c> references (their content is part of the step's cache key).</param>
/// <param name="Needs">The steps that must finish first.</param>
/// <param name="Outputs">A command's declared outputs (name → path), or the operation's.</param>
/// <param name="When">A condition that must hold for it to run (e.g. <c>steps.gate.outputs.passed</c>), or null.</param>
/// <param name="Retries">Further attempts after a failure (0–10).</param>
/// <param name="Backoff">The wait before the first retry (doubling after each).</param>
/// <param name="Timeout">The longest one attempt may take, or null.</param>
/// <param name="Labels">Worker labels the step needs (e.g. gpu).</param>
/// <param name="Line">The line its name is on.</param>
public sealed record PipelineStep(string Name, string? Uses, string? Run, IReadOnlyDictionary<string, string> With, IReadOnlyList<string> Inputs, IReadOnlyList<string> Needs,
    IReadOnlyDictionary<string, string> Outputs, string? When, int Retries, TimeSpan Backoff, TimeSpan? Timeout, IReadOnlyList<string> Labels, int Line);

/// <summary>A problem with a pipeline file: where it is and what to do.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">The line (1-based), or 0 for the whole file.</param>
/// <param name="Step">The step it concerns, or null.</param>
/// <param name="Message">What is wrong and what to write instead.</param>
public sealed record SpecError(string File, int Line, string? Step, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}{(Line > 0 ? $":{Line}" : "")}: {(Step is null ? "" : $"step '{Step}': ")}{Message}";
}

/// <summary>
/// What starts a pipeline by itself: a cron schedule (<c>schedule: "0 3 * * *"</c>, five fields, or Quartz's six or seven
/// with seconds), a new version of a data set (<c>dataset: NAME</c>), a model alias moving (<c>alias: NAME@ALIAS</c>), a
/// monitoring alert on a deployment (<c>alert: DEPLOYMENT</c>), or another pipeline succeeding (<c>pipeline: NAME</c>). Each
/// but the schedule may list several.
/// </summary>
/// <param name="Schedule">The cron expression as written, or null.</param>
/// <param name="Datasets">Data sets whose new versions start it.</param>
/// <param name="Aliases">Aliases (<c>NAME@ALIAS</c>) whose moves start it.</param>
/// <param name="Alerts">Deployments whose alerts start it.</param>
/// <param name="Pipelines">Pipelines whose successful runs start it.</param>
public sealed record PipelineOn(string? Schedule, IReadOnlyList<string> Datasets, IReadOnlyList<string> Aliases, IReadOnlyList<string> Alerts, IReadOnlyList<string> Pipelines)
{
    /// <summary>True when nothing starts it by itself.</summary>
    public bool IsEmpty => Schedule is null && Datasets.Count + Aliases.Count + Alerts.Count + Pipelines.Count == 0;
}

/// <summary>What a trigger does when a run of the pipeline is still queued or running.</summary>
public static class ConcurrencyPolicies
{
    /// <summary>Start another run alongside.</summary>
    public const string Allow = "allow";

    /// <summary>Start nothing (the trigger's event is recorded as skipped in the server's log).</summary>
    public const string Skip = "skip";

    /// <summary>Queue the run; it starts when the active one ends.</summary>
    public const string Queue = "queue";
}
