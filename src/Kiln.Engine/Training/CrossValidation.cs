using System.Globalization;
using Kiln.Learn;
using Kiln.Learn.Splits;
using Kiln.Tabular;

namespace Kiln.Engine.Training;

/// <summary>A cross-validation: each fold's metrics and each metric's mean and standard deviation over the folds.</summary>
/// <param name="Folds">How many folds.</param>
/// <param name="Scheme">How rows were dealt: <c>stratified</c> (by the target's classes), <c>grouped by COL</c>, or <c>shuffled</c>.</param>
/// <param name="PerFold">Each fold's metrics, fold 1 first.</param>
/// <param name="Mean">Each metric's mean over the folds.</param>
/// <param name="Std">Each metric's sample standard deviation over the folds.</param>
public sealed record CrossValidationResult(int Folds, string Scheme, IReadOnlyList<IReadOnlyDictionary<string, double>> PerFold,
    IReadOnlyDictionary<string, double> Mean, IReadOnlyDictionary<string, double> Std);

/// <summary>
/// K-fold cross-validation of a learner with its options, as scikit-learn's <c>cross_validate</c> does: stratified by the
/// target for classification, grouped when a group column is given (a group's rows never straddle train and test), each
/// fold fitted on the rest and scored on itself. An option that needs a validation set (early stopping) uses the held-out fold.
/// </summary>
public static class CrossValidation
{
    /// <summary>Runs <paramref name="folds"/> folds over <paramref name="columns"/>' training table.</summary>
    public static async Task<CrossValidationResult> RunAsync(LearnerEntry entry, LearnerOptions options, TrainingColumns columns, string target, TaskKind task, int folds,
        string? group, IProgress<string>? stage, CancellationToken ct)
    {
        var table = columns.Train;
        var classification = task != TaskKind.Regression;
        IReadOnlyList<(Table Train, Table Test)> splits;
        try
        {
            splits = await Task.Run(() => columns.Groups is { } groups
                ? DataSplits.GroupKFold(table, groups, folds)
                : DataSplits.KFold(table, folds, stratifyBy: classification ? target : null), ct);
        }
        catch (Exception e) when (e is LearnException or ArgumentException)
        {
            throw Core.Errors.KilnException.Invalid($"--cv {folds}: {e.Message}");
        }
        var perFold = new List<IReadOnlyDictionary<string, double>>();
        for (var f = 0; f < splits.Count; f++)
        {
            ct.ThrowIfCancellationRequested();
            stage?.Report($"Cross-validation fold {f + 1} of {splits.Count}");
            var (train, test) = splits[f];
            var model = await Task.Run(() => entry.Fit(train, target, options, options.OptionNeedingValidation is null ? null : test, null, ct), ct);
            perFold.Add(ModelEvaluation.Evaluate(model, test, target, ct, training: train).Metrics);
        }
        var names = perFold[0].Keys.Where(k => perFold.All(p => p.TryGetValue(k, out var v) && double.IsFinite(v))).Order(StringComparer.Ordinal).ToList();
        var mean = names.ToDictionary(n => n, n => perFold.Average(p => p[n]), StringComparer.Ordinal);
        var std = names.ToDictionary(n => n, n => Math.Sqrt(perFold.Sum(p => Math.Pow(p[n] - mean[n], 2)) / Math.Max(1, perFold.Count - 1)), StringComparer.Ordinal);
        var scheme = group is not null ? $"grouped by {group}" : classification ? "stratified" : "shuffled";
        return new CrossValidationResult(splits.Count, scheme, perFold, mean, std);
    }

    /// <summary>The run's metrics: <c>cv_METRIC</c> at step 1…K (one point per fold), <c>cv_METRIC_mean</c> and <c>cv_METRIC_std</c>.</summary>
    public static IEnumerable<(string Name, double Value, int Step)> Metrics(CrossValidationResult cv)
    {
        for (var f = 0; f < cv.PerFold.Count; f++)
        {
            foreach (var name in cv.Mean.Keys)
            {
                yield return ($"cv_{name}", cv.PerFold[f][name], f + 1);
            }
        }
        foreach (var (name, value) in cv.Mean)
        {
            yield return ($"cv_{name}_mean", value, 0);
            yield return ($"cv_{name}_std", cv.Std[name], 0);
        }
    }

    /// <summary>"0.8712 ± 0.0063" for the run's summary.</summary>
    public static string Describe(CrossValidationResult cv, string metric) =>
        $"{cv.Mean[metric].ToString("G4", CultureInfo.InvariantCulture)} ± {cv.Std[metric].ToString("G2", CultureInfo.InvariantCulture)}";
}
