using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Evaluation;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;

namespace Kiln.Engine.Pipelines.Operations;

/// <summary>
/// <c>evaluate</c>: models on held-out data, as <c>kiln evaluate</c> does (<c>sensitive:</c> comma-separated slice columns).
/// <c>model</c> may list several candidates, comma-separated: each is evaluated (a run each) and <c>best</c> names the one
/// with the best <c>metric</c> (default <c>roc_auc</c>, else the first metric; losses and errors are lower-is-better).
/// </summary>
/// <param name="evaluation">Evaluation.</param>
/// <param name="data">Data sets (null without a local store).</param>
public sealed class EvaluateOperation(EvaluationService evaluation, DataService? data = null) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "evaluate";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        await using var inputs = new MaterializedInputs(data);
        var (path, source) = await inputs.ResolveAsync(step.Required("data"), ct);
        var slices = step.Get("sensitive")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var models = step.Required("model").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = new List<EvaluationResult>();
        foreach (var model in models)
        {
            var result = await evaluation.EvaluateAsync(new EvaluationRequest(model, path, source, slices, step.Get("experiment") ?? step.ExperimentName, step.Get("weight")),
                new Progress<string>(s => step.Log.WriteLine(s)), ct);
            step.Log.WriteLine($"{model}: run {result.RunId}, {result.Rows} rows: {string.Join(", ", result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value.ToString("G5", CultureInfo.InvariantCulture)}"))}");
            results.Add(result);
        }
        var metric = step.Get("metric") ?? (results[0].Metrics.ContainsKey("roc_auc") ? "roc_auc" : results[0].Metrics.Keys.Order(StringComparer.Ordinal).First());
        if (results.FirstOrDefault(r => !r.Metrics.ContainsKey(metric)) is { } without)
        {
            throw new StepRejectedException($"{without.Model} has no metric '{metric}' (it has {string.Join(", ", without.Metrics.Keys.Order(StringComparer.Ordinal))}).");
        }
        var lower = metric.Contains("loss", StringComparison.Ordinal) || metric.Contains("error", StringComparison.Ordinal) || metric is "rmse" or "mae" or "mse";
        var best = lower ? results.MinBy(r => r.Metrics[metric])! : results.MaxBy(r => r.Metrics[metric])!;
        if (models.Length > 1)
        {
            step.Log.WriteLine($"best by {metric}: {best.Model} ({best.Metrics[metric].ToString("G5", CultureInfo.InvariantCulture)})");
        }
        return new Dictionary<string, string>
        {
            ["run"] = best.RunId, ["metrics"] = JsonSerializer.Serialize(best.Metrics), ["best"] = best.Model,
            ["best_metric"] = best.Metrics[metric].ToString("R", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary><c>register</c>: a model (<c>runs:/…</c> or another source) as a new version of a registered model, created when missing.</summary>
/// <param name="registry">The registry.</param>
public sealed class RegisterOperation(RegistryService registry) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "register";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var name = step.Required("name");
        try
        {
            await registry.CreateModelAsync(name, null, [], ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
        {
            // registering into an existing model
        }
        var source = step.Required("model");
        var runId = source.StartsWith("runs:/", StringComparison.Ordinal) ? source["runs:/".Length..].Split('/')[0] : null;
        var tags = step.Group("tags").Select(kv => new Tag(kv.Key, kv.Value)).Append(new Tag("kiln.pipeline.run", step.Run.Id)).ToList();
        var version = await registry.CreateVersionAsync(name, source, runId, null, step.Get("description"), tags, step.User, ct);
        if (step.Get("alias") is { } alias)
        {
            await registry.SetAliasAsync(name, alias, version.Version.ToString(CultureInfo.InvariantCulture), new AliasChange(step.User, "set", $"pipeline {step.Run.Pipeline} run {step.Run.Id}"), ct);
        }
        step.Log.WriteLine($"registered models:/{name}/{version.Version} from {source}");
        return new Dictionary<string, string> { ["model"] = $"models:/{name}/{version.Version}", ["version"] = version.Version.ToString(CultureInfo.InvariantCulture) };
    }
}

/// <summary>
/// <c>gate</c>: the model's gate (<c>kiln models gate-spec</c>) on held-out data, against the alias's current holder. A
/// rejected model fails the step (so the run exits non-zero) unless <c>fail_on_reject: false</c>, when <c>passed</c> tells.
/// <c>spec:</c> names a gate spec file to save first (a new version only when its content changed).
/// </summary>
/// <param name="gates">Gates.</param>
/// <param name="registry">The registry.</param>
/// <param name="data">Data sets (null without a local store).</param>
public sealed class GateOperation(GateService gates, RegistryService registry, DataService? data = null) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "gate";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<bool> StillHoldsAsync(StepContext step, IReadOnlyDictionary<string, string> outputs, CancellationToken ct)
    {
        // A verdict compares the candidate with the holder of its day: it stands while that holder (or the candidate itself,
        // once promoted) holds the alias; another champion means a new comparison.
        var (name, version) = await VersionAsync(step, ct);
        var holder = await HolderAsync(registry, name, step.Get("champion") ?? "champion", ct);
        return holder == outputs.GetValueOrDefault("holder") || holder == version.ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var (name, version) = await VersionAsync(step, ct);
        if (step.Get("spec") is { } specFile)
        {
            var saved = await gates.SaveSpecAsync(name, await File.ReadAllTextAsync(specFile, ct), step.User, ct);
            step.Log.WriteLine($"gate spec {saved.GateId} from {specFile}");
        }
        await using var inputs = new MaterializedInputs(data);
        var (path, source) = await inputs.ResolveAsync(step.Get("data") ?? throw new StepRejectedException("gate needs data: held-out data to evaluate the candidate and the champion on."), ct);
        var outcome = await gates.GateAsync(name, version, path, source, step.Get("champion"), step.User, new Progress<string>(s => step.Log.WriteLine(s)), ct);
        var verdict = outcome.Verdict;
        step.Log.WriteLine($"verdict {verdict.Id}: models:/{name}/{version} {(verdict.Passed ? "passed" : "was rejected")} against {(verdict.HolderVersion is { } h ? $"version {h}" : "no holder")}");
        foreach (var check in outcome.Checks)
        {
            step.Log.WriteLine($"  {JsonSerializer.Serialize(check)}");
        }
        if (!verdict.Passed && step.Flag("fail_on_reject", true))
        {
            throw new StepRejectedException($"the gate rejected models:/{name}/{version} (verdict {verdict.Id}); the {verdict.Alias} stays "
                + (verdict.HolderVersion is { } holder ? $"version {holder}" : "unset") + ". Set fail_on_reject: false to go on with passed = false.");
        }
        return new Dictionary<string, string>
        {
            ["passed"] = verdict.Passed ? "true" : "false", ["verdict"] = verdict.Id, ["holder"] = verdict.HolderVersion?.ToString(CultureInfo.InvariantCulture) ?? "none",
        };
    }

    internal static async Task<string> HolderAsync(RegistryService registry, string name, string alias, CancellationToken ct)
    {
        try
        {
            return (await registry.GetVersionByAliasAsync(name, alias, ct)).Version.ToString(CultureInfo.InvariantCulture);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist || e.Code == ErrorCode.InvalidParameterValue)
        {
            return "none";
        }
    }

    private async Task<(string Name, int Version)> VersionAsync(StepContext step, CancellationToken ct)
    {
        var model = step.Required("model");
        if (ModelUri.Is(model))
        {
            var version = await registry.ResolveAsync(model, ct);
            return (version.Name, version.Version);
        }
        return int.TryParse(model, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && step.Get("name") is { } name
            ? (name, number)
            : throw new StepRejectedException($"gate's model is '{model}': give a registered version, models:/NAME/VERSION (e.g. the register step's model output).");
    }
}

/// <summary><c>promote</c>: moves an alias (champion by default) to a version that passed its gate, as <c>kiln models promote</c> does.</summary>
/// <param name="gates">Gates (promotion checks the verdict).</param>
/// <param name="registry">The registry.</param>
public sealed class PromoteOperation(GateService gates, RegistryService registry) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "promote";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<bool> StillHoldsAsync(StepContext step, IReadOnlyDictionary<string, string> outputs, CancellationToken ct) =>
        outputs.GetValueOrDefault("pending") == "true"
        || await GateOperation.HolderAsync(registry, step.Required("name"), step.Get("alias") ?? "champion", ct) == step.Required("version");

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var name = step.Required("name");
        var alias = step.Get("alias") ?? "champion";
        if (!int.TryParse(step.Required("version"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
        {
            throw new StepRejectedException($"promote's version is '{step.Get("version")}': give a version number (e.g. the register step's version output).");
        }
        var (moved, pending) = await gates.PromoteAsync(name, version, alias, step.User, force: false, reason: $"pipeline {step.Run.Pipeline} run {step.Run.Id}", ct);
        if (pending is not null)
        {
            step.Log.WriteLine($"promotion of version {version} to {alias} waits for approval (kiln models approve {name} {alias}).");
            return new Dictionary<string, string> { ["model"] = $"models:/{name}/{version}", ["pending"] = "true" };
        }
        step.Log.WriteLine($"{alias} → version {version}{(moved?.PreviousVersion is { } previous ? $" (was {previous})" : "")}");
        return new Dictionary<string, string> { ["model"] = $"models:/{name}@{alias}", ["pending"] = "false" };
    }
}
