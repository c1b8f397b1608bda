using System.Globalization;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Learn.Metrics;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Evaluation;

/// <summary>The metrics of one slice: the rows where <see cref="Column"/> is <see cref="Value"/> (a category, or a numeric quartile such as <c>[0.2, 0.5)</c>).</summary>
public sealed record SliceResult(string Column, string Value, int Rows, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Metrics from predictions already made (no charts), for the whole table or a subset of rows, and the slices of a column.</summary>
public static class SliceMetrics
{
    /// <summary>At most this many slices per column (the most frequent values); the rest are left out.</summary>
    public const int MaxSlicesPerColumn = 20;

    /// <summary>Slices smaller than this get no metrics (too few rows to say anything).</summary>
    public const int MinRows = 10;

    /// <summary>The task's metrics on <paramref name="rows"/> (all rows when null) from the model's <paramref name="outputs"/>.</summary>
    public static Dictionary<string, double> Compute(ModelSchema schema, Column target, double[] outputs, int[]? rows = null)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var n = rows?.Length ?? target.Length;
        var width = schema.OutputCount;
        var picked = new double[n * width];
        for (var i = 0; i < n; i++)
        {
            var row = rows is null ? i : rows[i];
            Array.Copy(outputs, row * width, picked, i * width, width);
        }
        if (schema.Task == TaskKind.Regression)
        {
            var actual = new double[n];
            var numeric = (NumericColumn)target;
            for (var i = 0; i < n; i++)
            {
                actual[i] = numeric.GetValue(rows is null ? i : rows[i]);
            }
            metrics["rmse"] = RegressionMetrics.Rmse(actual, picked);
            metrics["mae"] = RegressionMetrics.Mae(actual, picked);
            metrics["r2"] = RegressionMetrics.R2(actual, picked);
            metrics["mape"] = RegressionMetrics.Mape(actual, picked);
            return metrics;
        }
        var all = Training.ModelEvaluation.Labels(target, schema.Classes);
        var labels = rows is null ? all : [.. rows.Select(r => all[r])];
        int[] predicted;
        if (schema.Task == TaskKind.BinaryClassification)
        {
            predicted = ClassificationMetrics.Classify(picked, schema.DecisionThreshold);
            if (labels.Distinct().Count() == 2)
            {
                metrics["roc_auc"] = ProbabilityMetrics.RocAuc(labels, picked);
                metrics["pr_auc"] = ProbabilityMetrics.AveragePrecision(labels, picked);
            }
            metrics["log_loss"] = ProbabilityMetrics.LogLoss(labels, picked);
            metrics["brier_score"] = ProbabilityMetrics.BrierScore(labels, picked);
            metrics["precision"] = ClassificationMetrics.Precision(labels, predicted);
            metrics["recall"] = ClassificationMetrics.Recall(labels, predicted);
            metrics["f1"] = ClassificationMetrics.F1(labels, predicted);
            metrics["positive_rate"] = predicted.Average();
            if (rows is not null)
            {
                Fairness.AddGroupRates(metrics, labels, predicted, picked); // a group's rates, for fairness across groups
            }
        }
        else
        {
            predicted = ClassificationMetrics.ArgMax(picked, schema.Classes.Count);
            metrics["log_loss"] = ProbabilityMetrics.LogLoss(labels, picked, schema.Classes.Count);
            metrics["f1_macro"] = ClassificationMetrics.F1(labels, predicted, schema.Classes.Count, Averaging.Macro);
            metrics["recall_macro"] = ClassificationMetrics.Recall(labels, predicted, schema.Classes.Count, Averaging.Macro);
        }
        metrics["accuracy"] = ClassificationMetrics.Accuracy(labels, predicted);
        return metrics;
    }

    /// <summary>
    /// The slices of <paramref name="column"/>: one per category (the 20 most frequent), or for numbers one per quartile.
    /// Missing values form their own slice.
    /// </summary>
    public static IEnumerable<(string Value, int[] Rows)> Slices(Column column)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        if (column is NumericColumn numeric)
        {
            var values = Enumerable.Range(0, column.Length).Where(r => !column.IsMissing(r)).Select(numeric.GetValue).Order().ToArray();
            var cuts = values.Length == 0 ? [] : new[] { 0.25, 0.5, 0.75 }.Select(q => values[(int)(q * (values.Length - 1))]).Distinct().ToArray();
            for (var row = 0; row < column.Length; row++)
            {
                var key = column.IsMissing(row) ? "(missing)" : Bin(numeric.GetValue(row), cuts);
                (groups.TryGetValue(key, out var list) ? list : groups[key] = []).Add(row);
            }
            return groups.OrderBy(g => g.Key == "(missing)" ? 1 : 0).ThenBy(g => g.Value.Count == 0 ? 0 : numeric.GetValue(g.Value[0]))
                .Select(g => (g.Key, g.Value.ToArray()));
        }
        for (var row = 0; row < column.Length; row++)
        {
            var key = column.IsMissing(row) ? "(missing)" : column.FormatValue(row) ?? "";
            (groups.TryGetValue(key, out var list) ? list : groups[key] = []).Add(row);
        }
        return groups.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxSlicesPerColumn).Select(g => (g.Key, g.Value.ToArray()));
    }

    /// <summary>For each metric, the largest difference between two slices of one column (the "slice gap" gates bound).</summary>
    public static Dictionary<string, double> Gaps(IEnumerable<SliceResult> slices)
    {
        var gaps = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var byColumn in slices.GroupBy(s => s.Column))
        {
            foreach (var metric in byColumn.SelectMany(s => s.Metrics.Keys).Distinct())
            {
                var values = byColumn.Where(s => s.Metrics.ContainsKey(metric)).Select(s => s.Metrics[metric]).Where(double.IsFinite).ToList();
                if (values.Count >= 2)
                {
                    var gap = values.Max() - values.Min();
                    gaps[metric] = gaps.TryGetValue(metric, out var other) ? Math.Max(other, gap) : gap;
                }
            }
        }
        return gaps;
    }

    private static string Bin(double value, double[] cuts)
    {
        var i = 0;
        while (i < cuts.Length && value >= cuts[i])
        {
            i++;
        }
        var low = i == 0 ? "-inf" : F(cuts[i - 1]);
        var high = i == cuts.Length ? "inf" : F(cuts[i]);
        return $"[{low}, {high})";
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
