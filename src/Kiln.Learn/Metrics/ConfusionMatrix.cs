namespace Kiln.Learn.Metrics;

/// <summary>Counts of (actual, predicted) class pairs. <c>this[a, p]</c> is the number of rows of class a predicted as p.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    private ConfusionMatrix(int classCount, long[] counts)
    {
        ClassCount = classCount;
        _counts = counts;
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Rows of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[(actual * ClassCount) + predicted];

    /// <summary>Counts class indices; both spans hold values in [0, <paramref name="classCount"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length or hold a class outside the range.</exception>
    public static ConfusionMatrix Create(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var counts = new long[classCount * classCount];
        for (var i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classCount || (uint)predicted[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Row {i} has class {actual[i]} / {predicted[i]}, outside [0, {classCount}).");
            }
            counts[(actual[i] * classCount) + predicted[i]]++;
        }
        return new ConfusionMatrix(classCount, counts);
    }

    /// <summary>Rows whose actual class is <paramref name="c"/>.</summary>
    public long Support(int c)
    {
        long sum = 0;
        for (var p = 0; p < ClassCount; p++)
        {
            sum += this[c, p];
        }
        return sum;
    }

    /// <summary>Rows predicted as <paramref name="c"/>.</summary>
    public long PredictedCount(int c)
    {
        long sum = 0;
        for (var a = 0; a < ClassCount; a++)
        {
            sum += this[a, c];
        }
        return sum;
    }

    /// <summary>All rows.</summary>
    public long Total => _counts.Sum();
}
