namespace Kiln.Learn.Metrics;

/// <summary>Metrics of predicted probabilities for binary labels (0/1) and multiclass labels (class indices).</summary>
public static class ProbabilityMetrics
{
    private const double Clip = 1e-15;

    /// <summary>Area under the ROC curve (ties count half), from scores where larger means more likely 1.</summary>
    /// <exception cref="ArgumentException">The labels hold only one class.</exception>
    public static double RocAuc(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores) => RocAuc(labels, scores, AscendingOrder(scores));

    /// <summary>Area under the ROC curve with the rows' order by score already known (see <see cref="AscendingOrder"/>), so
    /// that several metrics and curves of one evaluation sort once.</summary>
    /// <exception cref="ArgumentException">The labels hold only one class, or the order's length differs.</exception>
    public static double RocAuc(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, ReadOnlySpan<int> order)
    {
        MetricChecks.SameLength(labels.Length, scores.Length);
        MetricChecks.SameLength(order.Length, scores.Length);
        double positives = 0, negatives = 0, area = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            double tiePos = 0, tieNeg = 0;
            while (j < order.Length && scores[order[j]] == scores[order[i]])
            {
                if (labels[order[j]] == 1)
                {
                    tiePos++;
                }
                else
                {
                    tieNeg++;
                }
                j++;
            }
            // ascending scores: each positive beats the negatives already seen, and half of the tied ones
            area += tiePos * (negatives + (tieNeg / 2));
            positives += tiePos;
            negatives += tieNeg;
            i = j;
        }
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("ROC AUC needs both classes among the labels.", nameof(labels));
        }
        return area / (positives * negatives);
    }

    /// <summary>Average precision (area under the precision-recall curve, step-wise as scikit-learn computes it).</summary>
    public static double AveragePrecision(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores) => AveragePrecision(labels, scores, AscendingOrder(scores));

    /// <summary>Average precision with the rows' order by score already known (see <see cref="AscendingOrder"/>).</summary>
    /// <exception cref="ArgumentException">No label is positive, or the order's length differs.</exception>
    public static double AveragePrecision(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, ReadOnlySpan<int> ascendingOrder)
    {
        MetricChecks.SameLength(labels.Length, scores.Length);
        MetricChecks.SameLength(ascendingOrder.Length, scores.Length);
        return WeightedMetrics.AveragePrecision(labels, scores, ascendingOrder, null);
    }

    /// <summary>Binary log loss: mean of -[y log p + (1-y) log(1-p)], p clipped to [1e-15, 1 - 1e-15].</summary>
    public static double LogLoss(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities)
    {
        MetricChecks.SameLength(labels.Length, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], Clip, 1 - Clip);
            sum -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / labels.Length;
    }

    /// <summary>Multiclass log loss over row-major probabilities, <paramref name="classCount"/> per row.</summary>
    public static double LogLoss(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, int classCount)
    {
        MetricChecks.SameLength(labels.Length * classCount, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            sum -= Math.Log(Math.Clamp(probabilities[(i * classCount) + labels[i]], Clip, 1));
        }
        return sum / labels.Length;
    }

    /// <summary>Brier score: mean of (p - y)².</summary>
    public static double BrierScore(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities)
    {
        MetricChecks.SameLength(labels.Length, probabilities.Length);
        var sum = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var d = probabilities[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.Length;
    }

    /// <summary>Reliability curve: <paramref name="bins"/> equal-width probability bins over [0, 1]; empty bins are left out.</summary>
    public static IReadOnlyList<CalibrationBin> CalibrationCurve(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, int bins = 10)
    {
        MetricChecks.SameLength(labels.Length, probabilities.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var sumP = new double[bins];
        var sumY = new double[bins];
        var counts = new int[bins];
        for (var i = 0; i < labels.Length; i++)
        {
            var b = Math.Clamp((int)(probabilities[i] * bins), 0, bins - 1);
            sumP[b] += probabilities[i];
            sumY[b] += labels[i];
            counts[b]++;
        }
        var result = new List<CalibrationBin>();
        for (var b = 0; b < bins; b++)
        {
            if (counts[b] > 0)
            {
                result.Add(new CalibrationBin((double)b / bins, (double)(b + 1) / bins, sumP[b] / counts[b], sumY[b] / counts[b], counts[b]));
            }
        }
        return result;
    }

    /// <summary>The row indices ordered by ascending score: computed once, it serves <see cref="RocAuc(ReadOnlySpan{int}, ReadOnlySpan{double}, ReadOnlySpan{int})"/>,
    /// <see cref="AveragePrecision(ReadOnlySpan{int}, ReadOnlySpan{double}, ReadOnlySpan{int})"/> and any curve over the same scores.</summary>
    public static int[] AscendingOrder(ReadOnlySpan<double> scores)
    {
        var keys = scores.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(keys, order);
        return order;
    }
}
