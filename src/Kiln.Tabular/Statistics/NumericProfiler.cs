using System.Buffers;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Statistics;

/// <summary>Computes a numeric column's profile from its sorted non-missing values.</summary>
internal static class NumericProfiler
{
    public static ColumnProfile Profile(NumericColumn column, ProfileOptions options)
    {
        var buffer = ArrayPool<double>.Shared.Rent(column.Length);
        try
        {
            var present = 0;
            for (var i = 0; i < column.Length; i++)
            {
                var value = column.GetValue(i);
                if (!double.IsNaN(value))
                {
                    buffer[present++] = value;
                }
            }
            var profile = new ColumnProfile
            {
                Name = column.Name,
                Kind = column.Kind,
                Count = column.Length,
                MissingCount = column.Length - present,
            };
            if (present == 0)
            {
                return profile;
            }
            var values = buffer.AsSpan(0, present);
            RadixSort.Sort(values);
            var sketch = new HyperLogLog();
            var distinct = 0;
            for (var i = 0; i < values.Length; i++)
            {
                if (i == 0 || values[i] != values[i - 1])
                {
                    distinct++;
                    sketch.Add(HyperLogLog.Hash(values[i]));
                }
            }
            return profile with
            {
                Numeric = Summarize(values, options) with { Sketch = QuantileSketch.FromSorted(values) },
                DistinctEstimate = distinct,
                DistinctSketch = sketch.ToBase64(),
            };
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    internal static NumericSummary Summarize(ReadOnlySpan<double> sorted, ProfileOptions options)
    {
        var n = sorted.Length;
        var sum = 0.0;
        foreach (var value in sorted)
        {
            sum += value;
        }
        var mean = sum / n;

        // Two passes (mean first, then squared deviations) stay accurate where the one-pass formula cancels.
        var squares = 0.0;
        foreach (var value in sorted)
        {
            var deviation = value - mean;
            squares += deviation * deviation;
        }
        var standardDeviation = n > 1 ? Math.Sqrt(squares / (n - 1)) : 0.0;

        var quantiles = new QuantileValue[options.Quantiles.Count];
        for (var i = 0; i < quantiles.Length; i++)
        {
            var probability = options.Quantiles[i];
            quantiles[i] = new QuantileValue(probability, Quantile(sorted, probability));
        }
        return new NumericSummary(sorted[0], sorted[^1], mean, standardDeviation, quantiles, BuildHistogram(sorted, options.HistogramBins));
    }

    /// <summary>Linear interpolation between the order statistics around (n - 1) * p (numpy's default, pandas' too).</summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double probability)
    {
        var position = (sorted.Length - 1) * probability;
        var lower = (int)Math.Floor(position);
        var fraction = position - lower;
        if (lower >= sorted.Length - 1)
        {
            return sorted[^1];
        }
        return fraction == 0 ? sorted[lower] : sorted[lower] + (fraction * (sorted[lower + 1] - sorted[lower]));
    }

    internal static Histogram BuildHistogram(ReadOnlySpan<double> sorted, int bins)
    {
        // Bins span the finite values; infinities are counted in the outer bins.
        var firstFinite = 0;
        while (firstFinite < sorted.Length && double.IsNegativeInfinity(sorted[firstFinite]))
        {
            firstFinite++;
        }
        var lastFinite = sorted.Length - 1;
        while (lastFinite >= firstFinite && double.IsPositiveInfinity(sorted[lastFinite]))
        {
            lastFinite--;
        }
        if (lastFinite < firstFinite)
        {
            return new Histogram([sorted[0], sorted[^1]], [sorted.Length]);
        }

        var min = sorted[firstFinite];
        var max = sorted[lastFinite];
        if (min == max || !double.IsFinite(max - min))
        {
            bins = 1;
        }
        var width = (max - min) / bins;
        var edges = new double[bins + 1];
        for (var i = 0; i < bins; i++)
        {
            edges[i] = min + (i * width);
        }
        edges[bins] = max;

        var counts = new long[bins];
        counts[0] += firstFinite;
        counts[bins - 1] += sorted.Length - 1 - lastFinite;
        for (var i = firstFinite; i <= lastFinite; i++)
        {
            var bin = width > 0 ? (int)((sorted[i] - min) / width) : 0;
            counts[Math.Clamp(bin, 0, bins - 1)]++;
        }
        return new Histogram(edges, counts);
    }
}
