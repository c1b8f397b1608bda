using System.Globalization;
using System.Text.Json;
using Kiln.Engine.Data;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Training;

namespace Kiln.Engine.Pipelines.Operations;

/// <summary><c>train</c>: a built-in learner on a data set, as <c>kiln train</c> does; the run goes to <c>experiment</c> (default: the pipeline's).</summary>
/// <param name="session">Training.</param>
/// <param name="data">Data sets (null without a local store).</param>
public sealed class TrainOperation(TrainingSession session, DataService? data = null) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        await using var inputs = new MaterializedInputs(data);
        var (path, source) = await inputs.ResolveAsync(step.Required("data"), ct);
        var (valid, validSource) = await inputs.ResolveAsync(step.Get("valid"), ct);
        var parameters = new Dictionary<string, string>(step.Group("params"), StringComparer.OrdinalIgnoreCase);
        if (step.Get("seed") is { } seed)
        {
            parameters["seed"] = seed;
        }
        var request = new TrainRequest(path, step.Required("target"), step.Get("learner") ?? "gbdt", parameters, valid, step.Get("experiment") ?? step.ExperimentName,
            step.Get("run_name") ?? step.Definition.Name, null, step.Get("features")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), null, null, null,
            source, validSource, int.TryParse(step.Get("cv"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cv) ? cv : 0, step.Get("group"), step.Get("threshold"), step.Get("calibrate"), step.Get("weight"));
        var stages = new Progress<string>(s => step.Log.WriteLine(s));
        var result = await session.RunAsync(request, stages, null, ct);
        foreach (var warning in result.Warnings)
        {
            step.Log.WriteLine($"warning: {warning}");
        }
        step.Log.WriteLine($"run {result.RunId}: {string.Join(", ", result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value.ToString("G5", CultureInfo.InvariantCulture)}"))}");
        return new Dictionary<string, string>
        {
            ["run"] = result.RunId, ["model"] = $"runs:/{result.RunId}/model", ["metrics"] = JsonSerializer.Serialize(result.Metrics),
        };
    }
}

/// <summary><c>tune</c>: a hyperparameter search (<c>space:</c> name → <c>v1,v2,…</c> or <c>low:high</c>), as <c>kiln tune</c> does; gives the best trial's model.</summary>
/// <param name="search">The search.</param>
/// <param name="data">Data sets (null without a local store).</param>
public sealed class TuneOperation(HyperparameterSearch search, DataService? data = null) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "tune";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        await using var inputs = new MaterializedInputs(data);
        var (path, source) = await inputs.ResolveAsync(step.Required("data"), ct);
        var space = SearchSpace.Parse(step.Group("space").Select(kv => $"{kv.Key}={kv.Value}"));
        var trials = int.TryParse(step.Get("trials"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 10;
        var request = new TrainRequest(path, step.Required("target"), step.Get("learner") ?? "gbdt", new Dictionary<string, string>(), null, step.Get("experiment") ?? step.ExperimentName,
            step.Definition.Name, DataSource: source);
        var result = await search.RunAsync(request, space, step.Get("strategy") ?? "random", trials, step.Get("metric"),
            new Progress<(int Done, int Total, Trial? Last)>(p => step.Log.WriteLine($"trial {p.Done}/{p.Total}{(p.Last is { } t ? $": {t.Score.ToString("G5", CultureInfo.InvariantCulture)}" : "")}")), ct);
        step.Log.WriteLine($"best trial {result.Best.Number}: {result.Metric} {result.Best.Score.ToString("G5", CultureInfo.InvariantCulture)} (run {result.Best.RunId})");
        return new Dictionary<string, string>
        {
            ["run"] = result.ParentRunId, ["model"] = $"runs:/{result.Best.RunId}/model", ["best_params"] = JsonSerializer.Serialize(result.Best.Params),
        };
    }
}
