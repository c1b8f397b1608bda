namespace Kiln.Learn.Metrics;

/// <summary>
/// Metrics with a weight per row: each row counts as many times as its weight (with whole-number weights, the same value as
/// the unweighted metric over the rows repeated), with the unweighted metrics' conventions (clipping, ties, empty
/// denominators), as scikit-learn's <c>sample_weight</c>.
/// </summary>
public static class WeightedMetrics
{
    private const double Clip = 1e-15;

    private static double Total(ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        return total > 0 ? total : throw new ArgumentException("The weights sum to 0.", nameof(weights));
    }

    /// <summary>Area under the ROC curve: the weighted share of (positive, negative) pairs ordered right, ties half.</summary>
    public static double RocAuc(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(labels.Length, scores.Length);
        MetricChecks.SameLength(labels.Length, weights.Length);
        var order = ProbabilityMetrics.AscendingOrder(scores);
        double negativesBelow = 0, area = 0, positives = 0;
        var i = 0;
        while (i < order.Length)
        {
            double groupPositive = 0, groupNegative = 0;
            var j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]])
            {
                if (labels[order[j]] == 1)
                {
                    groupPositive += weights[order[j]];
                }
                else
                {
                    groupNegative += weights[order[j]];
                }
                j++;
            }
            area += groupPositive * (negativesBelow + (0.5 * groupNegative));
            negativesBelow += groupNegative;
            positives += groupPositive;
            i = j;
        }
        if (positives == 0 || negativesBelow == 0)
        {
            throw new ArgumentException("ROC AUC needs weight on both classes.", nameof(labels));
        }
        return area / (positives * negativesBelow);
    }

    /// <summary>Average precision: Σ (recall step) × precision over thresholds from the highest score down.</summary>
    public static double AveragePrecision(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(labels.Length, weights.Length);
        return AveragePrecision(labels, scores, ProbabilityMetrics.AscendingOrder(scores), weights.ToArray());
    }

    /// <summary>Average precision with the order by score known; every row weighs 1 when <paramref name="weights"/> is null.</summary>
    internal static double AveragePrecision(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, ReadOnlySpan<int> ascendingOrder, double[]? weights)
    {
        MetricChecks.SameLength(labels.Length, scores.Length);
        MetricChecks.SameLength(ascendingOrder.Length, scores.Length);
        var order = ascendingOrder.ToArray();
        Array.Reverse(order);
        double totalPositive = 0;
        for (var r = 0; r < labels.Length; r++)
        {
            totalPositive += labels[r] == 1 ? weights?[r] ?? 1 : 0;
        }
        if (totalPositive == 0)
        {
            throw new ArgumentException("Average precision needs at least one positive label (with weight).", nameof(labels));
        }
        double tp = 0, fp = 0, previousRecall = 0, ap = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]])
            {
                var w = weights?[order[j]] ?? 1;
                if (labels[order[j]] == 1)
                {
                    tp += w;
                }
                else
                {
                    fp += w;
                }
                j++;
            }
            var recall = tp / totalPositive;
            if (tp + fp > 0)
            {
                ap += (recall - previousRecall) * (tp / (tp + fp));
            }
            previousRecall = recall;
            i = j;
        }
        return ap;
    }

    /// <summary>Binary log loss, p clipped to [1e-15, 1 − 1e-15].</summary>
    public static double LogLoss(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(labels.Length, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], Clip, 1 - Clip);
            sum -= weights[i] * (labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p));
        }
        return sum / Total(weights);
    }

    /// <summary>Multiclass log loss over row-major probabilities.</summary>
    public static double LogLoss(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, int classCount, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(labels.Length * classCount, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            sum -= weights[i] * Math.Log(Math.Clamp(probabilities[(i * classCount) + labels[i]], Clip, 1));
        }
        return sum / Total(weights);
    }

    /// <summary>Brier score.</summary>
    public static double BrierScore(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(labels.Length, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var d = probabilities[i] - labels[i];
            sum += weights[i] * d * d;
        }
        return sum / Total(weights);
    }

    /// <summary>The weighted confusion matrix: [actual, predicted] sums of weights.</summary>
    public static double[,] Confusion(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var m = new double[classCount, classCount];
        for (var i = 0; i < actual.Length; i++)
        {
            m[actual[i], predicted[i]] += weights[i];
        }
        return m;
    }

    /// <summary>Accuracy, precision, recall and F1 of class 1 (binary) or macro-averaged (with F1 also support-weighted).</summary>
    public static (double Accuracy, double Precision, double Recall, double F1, double F1Weighted) Classification(
        ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount, ReadOnlySpan<double> weights)
    {
        var m = Confusion(actual, predicted, classCount, weights);
        double correct = 0, total = 0;
        var precision = new double[classCount];
        var recall = new double[classCount];
        var f1 = new double[classCount];
        var support = new double[classCount];
        for (var c = 0; c < classCount; c++)
        {
            double predictedC = 0, actualC = 0;
            for (var k = 0; k < classCount; k++)
            {
                predictedC += m[k, c];
                actualC += m[c, k];
                total += m[c, k];
            }
            correct += m[c, c];
            precision[c] = predictedC == 0 ? 0 : m[c, c] / predictedC;
            recall[c] = actualC == 0 ? 0 : m[c, c] / actualC;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
            support[c] = actualC;
        }
        var accuracy = total == 0 ? 0 : correct / total;
        if (classCount == 2)
        {
            return (accuracy, precision[1], recall[1], f1[1], f1[1]);
        }
        var weighted = 0.0;
        for (var c = 0; c < classCount; c++)
        {
            weighted += total == 0 ? 0 : f1[c] * support[c] / total;
        }
        return (accuracy, precision.Average(), recall.Average(), f1.Average(), weighted);
    }

    /// <summary>RMSE, MAE, R² (1 − SS_res / SS_tot about the weighted mean; scikit-learn's convention for a constant target)
    /// and MAPE.</summary>
    public static (double Rmse, double Mae, double R2, double Mape) Regression(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> weights)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var total = Total(weights);
        double mean = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            mean += weights[i] * actual[i];
        }
        mean /= total;
        double squares = 0, absolute = 0, spread = 0, relative = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = actual[i] - predicted[i];
            squares += weights[i] * e * e;
            absolute += weights[i] * Math.Abs(e);
            spread += weights[i] * (actual[i] - mean) * (actual[i] - mean);
            relative += weights[i] * Math.Abs(e) / Math.Max(Math.Abs(actual[i]), double.Epsilon);
        }
        var r2 = spread == 0 ? (squares == 0 ? 1 : 0) : 1 - (squares / spread);
        return (Math.Sqrt(squares / total), absolute / total, r2, relative / total);
    }
}
