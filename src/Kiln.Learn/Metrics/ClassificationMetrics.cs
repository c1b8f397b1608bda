namespace Kiln.Learn.Metrics;

/// <summary>Metrics of hard class predictions (class indices). A ratio with a zero denominator is 0, as in scikit-learn.</summary>
public static class ClassificationMetrics
{
    /// <summary>The fraction of rows predicted correctly.</summary>
    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var correct = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            correct += actual[i] == predicted[i] ? 1 : 0;
        }
        return (double)correct / actual.Length;
    }

    /// <summary>Precision: of the rows predicted as a class, the fraction that are; averaged as <paramref name="averaging"/>.</summary>
    public static double Precision(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount = 2, Averaging averaging = Averaging.Binary) =>
        Average(ConfusionMatrix.Create(actual, predicted, classCount), averaging, Precision);

    /// <summary>Recall: of the rows of a class, the fraction predicted as it; averaged as <paramref name="averaging"/>.</summary>
    public static double Recall(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount = 2, Averaging averaging = Averaging.Binary) =>
        Average(ConfusionMatrix.Create(actual, predicted, classCount), averaging, Recall);

    /// <summary>F1: the harmonic mean of precision and recall per class; averaged as <paramref name="averaging"/>.</summary>
    public static double F1(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount = 2, Averaging averaging = Averaging.Binary) =>
        Average(ConfusionMatrix.Create(actual, predicted, classCount), averaging, F1);

    /// <summary>Precision of class <paramref name="c"/>.</summary>
    public static double Precision(ConfusionMatrix m, int c) => Ratio(m[c, c], m.PredictedCount(c));

    /// <summary>Recall of class <paramref name="c"/>.</summary>
    public static double Recall(ConfusionMatrix m, int c) => Ratio(m[c, c], m.Support(c));

    /// <summary>F1 of class <paramref name="c"/>.</summary>
    public static double F1(ConfusionMatrix m, int c)
    {
        var p = Precision(m, c);
        var r = Recall(m, c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Class indices from probabilities: binary (one value per row) at <paramref name="threshold"/>.</summary>
    public static int[] Classify(ReadOnlySpan<double> probabilities, double threshold = 0.5)
    {
        var result = new int[probabilities.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = probabilities[i] >= threshold ? 1 : 0;
        }
        return result;
    }

    /// <summary>Class indices from row-major probabilities, <paramref name="classCount"/> per row: the most probable class.</summary>
    public static int[] ArgMax(ReadOnlySpan<double> probabilities, int classCount)
    {
        var result = new int[probabilities.Length / classCount];
        for (var i = 0; i < result.Length; i++)
        {
            var row = probabilities.Slice(i * classCount, classCount);
            var best = 0;
            for (var k = 1; k < classCount; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }
            result[i] = best;
        }
        return result;
    }

    private static double Average(ConfusionMatrix m, Averaging averaging, Func<ConfusionMatrix, int, double> metric)
    {
        switch (averaging)
        {
            case Averaging.Binary:
                if (m.ClassCount != 2)
                {
                    throw new ArgumentException($"Binary averaging needs two classes, not {m.ClassCount}; use Macro or Weighted.", nameof(averaging));
                }
                return metric(m, 1);
            case Averaging.Macro:
                var sum = 0.0;
                for (var c = 0; c < m.ClassCount; c++)
                {
                    sum += metric(m, c);
                }
                return sum / m.ClassCount;
            case Averaging.Weighted:
                var weighted = 0.0;
                for (var c = 0; c < m.ClassCount; c++)
                {
                    weighted += metric(m, c) * m.Support(c);
                }
                return weighted / m.Total;
            default:
                throw new ArgumentException($"Averaging {(int)averaging} is unknown.", nameof(averaging));
        }
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}
