namespace Kiln.Engine.Pipelines.Spec;

/// <summary>A built-in operation a step <c>uses:</c>: the inputs it requires and takes, and the outputs later steps may read.</summary>
/// <param name="Name">Its name, e.g. <c>train</c>.</param>
/// <param name="Summary">What it does.</param>
/// <param name="Required">Inputs it needs under <c>with:</c>.</param>
/// <param name="Optional">Inputs it also takes.</param>
/// <param name="Outputs">What it gives later steps (<c>${{ steps.NAME.outputs.OUTPUT }}</c>).</param>
public sealed record PipelineOperation(string Name, string Summary, IReadOnlyList<string> Required, IReadOnlyList<string> Optional, IReadOnlyList<string> Outputs);

/// <summary>The built-in operations, one per stage of a model's life (each is what the CLI command of the same name does).</summary>
public static class PipelineOperations
{
    /// <summary>Every operation, by name.</summary>
    public static IReadOnlyDictionary<string, PipelineOperation> All { get; } = new PipelineOperation[]
    {
        new("data.add", "add a file as a new version of a data set (kiln data add)", ["name", "path"], ["description", "tags"], ["dataset", "version", "changed"]),
        new("data.validate", "validate a data set version against its schema and the previous version (kiln data validate)", ["dataset"],
            ["reference", "rules", "fail_on"], ["passed", "report"]),
        new("train", "train a model (kiln train)", ["data", "target"], ["learner", "params", "valid", "experiment", "run_name", "seed", "features", "cv", "group", "threshold", "calibrate", "weight"], ["run", "model", "metrics"]),
        new("tune", "search hyperparameters (kiln tune)", ["data", "target"], ["learner", "space", "trials", "metric", "strategy", "experiment", "seed"], ["run", "model", "best_params"]),
        new("evaluate", "evaluate a model, or pick the best of several (comma-separated), on held-out data (kiln evaluate)", ["model", "data"], ["metric", "sensitive", "experiment", "weight"],
            ["run", "metrics", "best", "best_metric"]),
        new("gate", "check a model against thresholds and the current champion (kiln models gate)", ["model"], ["name", "champion", "data", "spec", "fail_on_reject"], ["passed", "verdict", "holder"]),
        new("register", "register a model version (kiln models register)", ["name", "model"], ["alias", "description", "tags"], ["model", "version"]),
        new("promote", "move an alias, champion by default, to a version (kiln models promote)", ["name", "version"], ["alias"], ["model", "pending"]),
        new("deploy", "create or update a deployment's route (kiln deploy)", ["deployment", "model"], ["route", "weight", "reference"], ["deployment", "version"]),
        new("monitor", "monitor a deployment's recent traffic (kiln monitor status)", ["deployment"], ["window"], ["drifted_share", "drifted", "alerts"]),
    }.ToDictionary(o => o.Name, StringComparer.Ordinal);
}
