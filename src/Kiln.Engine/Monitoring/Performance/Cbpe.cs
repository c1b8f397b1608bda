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
        double tp = 0, fp = 0, fn = 0, tn = 0, variance = 0;
        foreach (var raw in probabilities)
        {
            var p = Math.Clamp(raw, 0, 1);
            (tp, fp, fn, tn) = p >= threshold ? (tp + p, fp + 1 - p, fn, tn) : (tp, fp, fn + p, tn + 1 - p);
            variance += p * (1 - p);
        }
        var metrics = FromSums(tp, fp, fn, tn, variance, probabilities.Length);
        if (RocAuc(probabilities) is { } auc)
        {
            metrics["roc_auc"] = auc;
        }
        return metrics;
    }

    /// <summary>accuracy, accuracy_sd, precision, recall and f1 from the expected confusion matrix of <paramref name="n"/> rows
    /// and Σ p(1 − p) (<paramref name="variance"/>): what <see cref="Estimate"/> computes, and what stored summaries keep the sums for.</summary>
    public static Dictionary<string, double> FromSums(double tp, double fp, double fn, double tn, double variance, long n) => n == 0 ? new(StringComparer.Ordinal) : new(StringComparer.Ordinal)
    {
        ["accuracy"] = (tp + tn) / n,
        ["accuracy_sd"] = Math.Sqrt(variance) / n,
        ["precision"] = tp + fp > 0 ? tp / (tp + fp) : 0,
        ["recall"] = tp + fn > 0 ? tp / (tp + fn) : 0,
        ["f1"] = (2 * tp) + fp + fn > 0 ? 2 * tp / ((2 * tp) + fp + fn) : 0,
    };

    /// <summary>The expected ROC AUC: rows by falling probability, the expected positives and negatives above each distinct
    /// threshold give a point of the curve. Null when no positives or no negatives are expected.</summary>
    private static double? RocAuc(ReadOnlySpan<double> probabilities)
    {
        var sorted = probabilities.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        var steps = new List<(double Positives, double Negatives)>();
        for (var i = 0; i < sorted.Length;)
        {
            var (positives, negatives) = (0.0, 0.0);
            var j = i;
            for (; j < sorted.Length && sorted[j] == sorted[i]; j++)
            {
                var p = Math.Clamp(sorted[j], 0, 1);
                (positives, negatives) = (positives + p, negatives + 1 - p);
            }
            steps.Add((positives, negatives));
            i = j;
        }
        return AreaUnderCurve(steps);
    }

    /// <summary>The area under the ROC curve whose points are the running sums of expected positives and negatives over
    /// <paramref name="steps"/> (thresholds from high to low), by trapezoids; null when either total is zero.</summary>
    public static double? AreaUnderCurve(IReadOnlyList<(double Positives, double Negatives)> steps)
    {
        var (positives, negatives) = (steps.Sum(s => s.Positives), steps.Sum(s => s.Negatives));
        if (positives <= 0 || negatives <= 0)
        {
            return null;
        }
        double area = 0, tpr = 0, fpr = 0, tp = 0, fp = 0;
        foreach (var (p, n) in steps)
        {
            (tp, fp) = (tp + p, fp + n);
            var (nextTpr, nextFpr) = (tp / positives, fp / negatives);
            area += (nextFpr - fpr) * (nextTpr + tpr) / 2;
            (tpr, fpr) = (nextTpr, nextFpr);
        }
        return area;
    }
}
