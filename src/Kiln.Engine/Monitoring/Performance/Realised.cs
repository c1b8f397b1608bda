using Kiln.Learn.Metrics;

namespace Kiln.Engine.Monitoring.Performance;

/// <summary>Metrics of predictions whose ground truth has arrived (the prediction log's labels).</summary>
public static class Realised
{
    /// <summary>A binary classifier's accuracy, precision, recall, f1 and (with both classes present) roc_auc, from
    /// <paramref name="probabilities"/> of the positive class and 0/1 <paramref name="labels"/>; empty for no rows.</summary>
    public static IReadOnlyDictionary<string, double> Binary(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, double threshold = 0.5)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (labels.Length == 0)
        {
            return metrics;
        }
        double tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var predicted = probabilities[i] >= threshold;
            (tp, fp, fn, tn) = (predicted, labels[i] == 1) switch
            {
                (true, true) => (tp + 1, fp, fn, tn),
                (true, false) => (tp, fp + 1, fn, tn),
                (false, true) => (tp, fp, fn + 1, tn),
                _ => (tp, fp, fn, tn + 1),
            };
        }
        metrics["accuracy"] = (tp + tn) / labels.Length;
        metrics["precision"] = tp + fp > 0 ? tp / (tp + fp) : 0;
        metrics["recall"] = tp + fn > 0 ? tp / (tp + fn) : 0;
        metrics["f1"] = (2 * tp) + fp + fn > 0 ? 2 * tp / ((2 * tp) + fp + fn) : 0;
        if (tp + fn > 0 && tn + fp > 0)
        {
            metrics["roc_auc"] = ProbabilityMetrics.RocAuc(labels, probabilities);
        }
        return metrics;
    }

    /// <summary>A regressor's rmse and mae; empty for no rows.</summary>
    public static IReadOnlyDictionary<string, double> Regression(ReadOnlySpan<double> predicted, ReadOnlySpan<double> actual)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (actual.Length == 0)
        {
            return metrics;
        }
        metrics["rmse"] = RegressionMetrics.Rmse(actual, predicted);
        metrics["mae"] = RegressionMetrics.Mae(actual, predicted);
        return metrics;
    }
}
