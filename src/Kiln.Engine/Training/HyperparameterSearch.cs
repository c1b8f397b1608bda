using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Learn;
using Kiln.Tabular;

namespace Kiln.Engine.Training;

/// <summary>One trial of a search: its params, its child run and the score it got.</summary>
public sealed record Trial(int Number, IReadOnlyDictionary<string, string> Params, string RunId, double Score);

/// <summary>The outcome of a search: every trial, the best one and the parent run that groups them.</summary>
public sealed record SearchResult(string ParentRunId, string Metric, bool Minimize, IReadOnlyList<Trial> Trials, Trial Best);

/// <summary>
/// Grid, random or successive-halving hyperparameter search: a parent run records the space and the best trial; each trial is a
/// full training run nested under it (tag <c>mlflow.parentRunId</c>, as MLflow nests runs), and the best trial's run
/// is tagged <c>kiln.tune.best = true</c>. Without a validation file, 20 % of the rows are held out (seeded).
/// </summary>
public sealed class HyperparameterSearch(ITracking tracking, TrainingSession session)
{
    public async Task<SearchResult> RunAsync(TrainRequest request, SearchSpace space, string strategy, int trials, string? metric,
        IProgress<(int Done, int Total, Trial? Last)>? progress = null, CancellationToken ct = default)
    {
        var train = await Task.Run(() => request.Read(request.DataPath, ct), ct);
        Table? valid = request.ValidPath is null ? null : await Task.Run(() => request.ReadLike(request.ValidPath, train, ct), ct);
        if (valid is null)
        {
            (train, valid) = HoldOut(train, 0.2, seed: 42);
        }
        // Chosen and checked once for every trial (and before the parent run exists).
        var columns = TrainingColumns.Prepare(request, train, valid);
        var halving = strategy.Equals("halving", StringComparison.OrdinalIgnoreCase);
        var candidates = strategy.ToLowerInvariant() switch
        {
            "grid" => space.Grid().ToList(),
            "random" or "halving" => space.Random(trials, seed: 42).ToList(),
            _ => throw KilnException.Invalid($"Unknown strategy '{strategy}': use grid, random or halving."),
        };
        var budget = halving ? HalvingBudget(request) : null;

        var experimentId = await tracking.GetOrCreateExperimentAsync(request.Experiment, ct);
        var parent = await tracking.CreateRunAsync(experimentId, Environment.UserName, request.RunName ?? $"tune-{request.Learner}", null,
            [new Tag("mlflow.source.name", "kiln tune"), new Tag("kiln.learner", request.Learner)], ct);
        var parentId = parent.Info.RunId;
        try
        {
            await tracking.LogBatchAsync(parentId, [],
                [new Param("strategy", strategy), new Param("space", space.ToString()), new Param("trials", candidates.Count.ToString(CultureInfo.InvariantCulture))], [], ct);
            var done = new List<Trial>();
            string? metricName = metric;
            var minimize = false;
            // Successive halving: every candidate gets a third of a third… of its budget; the best third goes on with three times as much.
            // A candidate's budget is its own value when the space sets it, else --param's, else 100; the last rung runs it in full.
            var rungs = budget is not null ? Rungs(candidates.Count) : [(candidates.Count, 1)];
            var alive = candidates;
            var total = rungs.Sum(r => r.Count);
            foreach (var (count, divisor) in rungs)
            {
                var rung = new List<Trial>();
                foreach (var candidate in alive.Take(count))
                {
                    ct.ThrowIfCancellationRequested();
                    var parameters = new Dictionary<string, string>(request.Parameters, StringComparer.OrdinalIgnoreCase);
                    foreach (var (k, v) in candidate)
                    {
                        parameters[k] = v;
                    }
                    int? amount = null;
                    if (budget is { } b)
                    {
                        var full = parameters.TryGetValue(b.Name, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : b.Max;
                        amount = Math.Max(1, full / divisor);
                        parameters[b.Name] = amount.Value.ToString(CultureInfo.InvariantCulture);
                    }
                    var number = done.Count + 1;
                    var result = await session.RunAsync(
                        request with { Parameters = parameters, RunName = $"trial-{number}" }, columns,
                        [new Tag("mlflow.parentRunId", parentId), new Tag("kiln.tune.trial", number.ToString(CultureInfo.InvariantCulture))], ct: ct);
                    metricName ??= request.CvFolds >= 2 ? "cv_" + DefaultMetric(result.Model.Schema.Task)["valid_".Length..] + "_mean" : DefaultMetric(result.Model.Schema.Task);
                    minimize = Minimize(metricName);
                    if (!result.Metrics.TryGetValue(metricName, out var score))
                    {
                        throw KilnException.Invalid($"Metric '{metricName}' was not computed; choose one of {string.Join(", ", result.Metrics.Keys.Order(StringComparer.Ordinal))}.");
                    }
                    var shown = amount is { } given ? new Dictionary<string, string>(candidate) { [budget!.Value.Name] = given.ToString(CultureInfo.InvariantCulture) } : candidate;
                    var trial = new Trial(number, shown, result.RunId, score);
                    done.Add(trial);
                    rung.Add(trial);
                    await tracking.LogBatchAsync(parentId, [new Metric(metricName, score, tracking.NowMs(), number)], [], [], ct);
                    progress?.Report((done.Count, total, trial));
                }
                var ranked = minimize ? rung.OrderBy(t => t.Score) : rung.OrderByDescending(t => t.Score);
                var order = ranked.Select(t => rung.IndexOf(t)).ToList();
                alive = [.. order.Select(i => alive[i])];
            }
            // With halving, only trials that ran on the full budget compete for best.
            var finalists = budget is null ? done : done.TakeLast(rungs[^1].Count).ToList();
            var best = minimize ? finalists.MinBy(t => t.Score)! : finalists.MaxBy(t => t.Score)!;
            await tracking.SetTagAsync(best.RunId, new Tag("kiln.tune.best", "true"), ct);
            await tracking.LogBatchAsync(parentId, [new Metric("best_" + metricName, best.Score, tracking.NowMs(), 0)],
                [], [new Tag("kiln.tune.best_run_id", best.RunId), new Tag("kiln.tune.metric", metricName!)], ct);
            await tracking.UpdateRunAsync(parentId, RunStatus.Finished.WireName(), tracking.NowMs(), null, ct);
            return new SearchResult(parentId, metricName!, minimize, done, best);
        }
        catch (Exception e)
        {
            await tracking.EndUnfinishedRunAsync(parentId, e, cancelled: ct.IsCancellationRequested || e is OperationCanceledException);
            throw;
        }
    }

    /// <summary>The option that sets a learner's training budget, and its value (the budget of the last rung).</summary>
    private static (string Name, int Max)? HalvingBudget(TrainRequest request)
    {
        var name = request.Learner.ToLowerInvariant() switch
        {
            "gbdt" => "rounds",
            "forest" => "trees",
            _ => throw KilnException.Invalid($"Successive halving needs a learner with an iteration budget (gbdt, forest), not '{request.Learner}'."),
        };
        var max = request.Parameters.TryGetValue(name, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : 100;
        return (name, max);
    }

    /// <summary>Rungs of (candidates, budget divisor): each keeps the best third with three times the budget, ending on the full budget (divisor 1).</summary>
    internal static List<(int Count, int Divisor)> Rungs(int candidates)
    {
        var counts = new List<int>();
        for (var n = candidates; n >= 1; n = n / 3)
        {
            counts.Add(n);
            if (n < 3)
            {
                break;
            }
        }
        var rungs = new List<(int, int)>();
        for (var i = 0; i < counts.Count; i++)
        {
            rungs.Add((counts[i], (int)Math.Pow(3, counts.Count - 1 - i)));
        }
        return rungs;
    }

    /// <summary>valid_roc_auc for binary, valid_log_loss for multiclass, valid_rmse for regression.</summary>
    public static string DefaultMetric(TaskKind task) => task switch
    {
        TaskKind.BinaryClassification => "valid_roc_auc",
        TaskKind.MulticlassClassification => "valid_log_loss",
        _ => "valid_rmse",
    };

    /// <summary>Losses and errors are minimised; everything else is maximised.</summary>
    public static bool Minimize(string metric) => MinimizeBase(metric.EndsWith("_mean", StringComparison.Ordinal) ? metric[..^"_mean".Length] : metric);

    private static bool MinimizeBase(string metric) =>
        metric.EndsWith("loss", StringComparison.Ordinal) || metric.EndsWith("rmse", StringComparison.Ordinal) ||
        metric.EndsWith("mae", StringComparison.Ordinal) || metric.EndsWith("mape", StringComparison.Ordinal) || metric.EndsWith("brier_score", StringComparison.Ordinal);

    private static (Table Train, Table Valid) HoldOut(Table table, double fraction, int seed)
    {
        var order = Enumerable.Range(0, table.RowCount).ToArray();
        new Random(seed).Shuffle(order);
        var validCount = (int)(table.RowCount * fraction);
        var valid = order[..validCount];
        var train = order[validCount..];
        Array.Sort(valid);
        Array.Sort(train);
        return (table.Take(train), table.Take(valid));
    }
}
