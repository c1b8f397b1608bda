namespace Kiln.Engine.Monitoring.Performance;

/// <summary>
/// Confidence-based performance estimation (as NannyML's CBPE) for a binary classifier whose probabilities are calibrated:
/// a row predicted positive with probability p is a true positive with probability p and a false positive with 1 − p
/// (negatives alike), so the confusion matrix, and every metric of it, has an expected value before any label arrives.
/// ROC AUC comes from the expected true- and false-positive rates at every threshold. The standard error of the accuracy
/// is that of a sum of independent Bernoulli draws.
/// </summary>
public static class Cbpe
{
    /// <summary>Expected metrics of <paramref name="probabilities"/> (of the positive class) at <paramref name="threshold"/>:
    /// accuracy, precision, recall, f1, roc_auc, and accuracy_sd; empty for no rows.</summary>
    public static IReadOnlyDictionary<string, double> Estimate(ReadOnlySpan<double> probabilities, double threshold = 0.5)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var n = probabilities.Length;
        if (n == 0)
        {
            return metrics;
        }
        double tp = 0, fp = 0, fn = 0, tn = 0, variance = 0;
        foreach (var raw in probabilities)
        {
            var p = Math.Clamp(raw, 0, 1);
            if (p >= threshold)
            {
                tp += p;
                fp += 1 - p;
                variance += p * (1 - p);
            }
            else
            {
                fn += p;
                tn += 1 - p;
                variance += p * (1 - p);
            }
        }
        metrics["accuracy"] = (tp + tn) / n;
        metrics["accuracy_sd"] = Math.Sqrt(variance) / n;
        metrics["precision"] = tp + fp > 0 ? tp / (tp + fp) : 0;
        metrics["recall"] = tp + fn > 0 ? tp / (tp + fn) : 0;
        metrics["f1"] = (2 * tp) + fp + fn > 0 ? 2 * tp / ((2 * tp) + fp + fn) : 0;
        if (RocAuc(probabilities) is { } auc)
        {
            metrics["roc_auc"] = auc;
        }
        return metrics;
    }

    /// <summary>The expected ROC AUC: rows by falling probability, the expected positives and negatives above each distinct
    /// threshold give a point of the curve; trapezoids between them. Null when no positives or no negatives are expected.</summary>
    private static double? RocAuc(ReadOnlySpan<double> probabilities)
    {
        var sorted = probabilities.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        double positives = 0;
        foreach (var p in sorted)
        {
            positives += Math.Clamp(p, 0, 1);
        }
        var negatives = sorted.Length - positives;
        if (positives <= 0 || negatives <= 0)
        {
            return null;
        }
        double area = 0, tpr = 0, fpr = 0, tp = 0, fp = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j] == sorted[i])
            {
                var p = Math.Clamp(sorted[j], 0, 1);
                tp += p;
                fp += 1 - p;
                j++;
            }
            var (nextTpr, nextFpr) = (tp / positives, fp / negatives);
            area += (nextFpr - fpr) * (nextTpr + tpr) / 2;
            (tpr, fpr) = (nextTpr, nextFpr);
            i = j;
        }
        return area;
    }
}
