using System.Buffers;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Statistics;

/// <summary>
/// Computes a numeric column's profile in three passes without sorting the column: min, max and sum; then counts per
/// bucket (65,536 even buckets over the finite range), squared deviations, the histogram and the distinct-count sketch;
/// then only the buckets holding a wanted rank (the quantiles and the sketch's 201 ranks) are gathered and sorted.
/// Order statistics are exact, as with a full sort.
/// </summary>
internal static class NumericProfiler
{
    private const int Buckets = 1 << 16;

    /// <summary>Below this many distinct values (as the sketch estimates) the distinct count is made exact.</summary>
    private const long ExactDistinctBelow = 10_000;

    public static ColumnProfile Profile(NumericColumn column, ProfileOptions options)
    {
        var buffer = ArrayPool<double>.Shared.Rent(Math.Max(1, column.Length));
        try
        {
            var present = 0;
            if (column is Float64Column doubles)
            {
                foreach (var value in doubles.Values)
                {
                    buffer[present] = value;
                    present += double.IsNaN(value) ? 0 : 1;
                }
            }
            else
            {
                for (var i = 0; i < column.Length; i++)
                {
                    var value = column.GetValue(i);
                    buffer[present] = value;
                    present += double.IsNaN(value) ? 0 : 1;
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
            var (summary, distinct, sketch) = Summarize(buffer.AsSpan(0, present), options);
            return profile with { Numeric = summary, DistinctEstimate = distinct, DistinctSketch = sketch.ToBase64() };
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private static (NumericSummary Summary, long Distinct, HyperLogLog Sketch) Summarize(ReadOnlySpan<double> values, ProfileOptions options)
    {
        var n = values.Length;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, finiteMin = double.PositiveInfinity, finiteMax = double.NegativeInfinity, sum = 0;
        foreach (var value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            if (double.IsFinite(value))
            {
                finiteMin = Math.Min(finiteMin, value);
                finiteMax = Math.Max(finiteMax, value);
            }
            sum += value;
        }
        var mean = sum / n;
        var hasFinite = finiteMax >= finiteMin;
        var range = hasFinite ? finiteMax - finiteMin : 0;
        var bins = options.HistogramBins;
        if (!hasFinite || range == 0 || !double.IsFinite(range))
        {
            bins = 1;
        }
        var width = bins > 1 ? range / bins : 0;
        // buckets split the finite range evenly (infinities in the outer ones), so each holds a few values to sort
        var scale = range > 0 && double.IsFinite(range) ? (Buckets - 1) / range : 0;
        var perBin = width > 0 ? 1 / width : 0;
        int BucketOf(double value) => double.IsNegativeInfinity(value) ? 0 : double.IsPositiveInfinity(value) ? Buckets - 1
            : Math.Clamp((int)((value - finiteMin) * scale), 0, Buckets - 1);

        var counts = ArrayPool<int>.Shared.Rent(Buckets);
        try
        {
            Array.Clear(counts, 0, Buckets);
            var histogram = new long[bins];
            var squares = 0.0;
            var integral = true;
            var sketch = new HyperLogLog();
            foreach (var value in values)
            {
                counts[BucketOf(value)]++;
                var deviation = value - mean;
                squares += deviation * deviation;
                var bin = double.IsNegativeInfinity(value) ? 0 : double.IsPositiveInfinity(value) ? bins - 1 : (int)((value - finiteMin) * perBin);
                histogram[Math.Min((uint)bin, (uint)(bins - 1))]++;
                sketch.Add(HyperLogLog.Hash(value));
                integral &= Math.Floor(value) == value || !double.IsFinite(value);
            }

            // the ranks wanted: both order statistics around (n - 1) * p for every quantile and sketch probability
            var ranks = new SortedSet<int>();
            foreach (var p in options.Quantiles.Concat(Enumerable.Range(0, QuantileSketch.Intervals + 1).Select(i => (double)i / QuantileSketch.Intervals)))
            {
                var lower = Math.Min((int)Math.Floor((n - 1) * p), n - 1);
                ranks.Add(lower);
                ranks.Add(Math.Min(lower + 1, n - 1));
            }
            var start = new int[Buckets + 1];
            for (var b = 0; b < Buckets; b++)
            {
                start[b + 1] = start[b] + counts[b];
            }
            var wanted = new int[Buckets]; // 1 + where a wanted bucket's values start among the gathered, else 0
            var gatheredCount = 0;
            var bucketOfRank = new Dictionary<int, int>();
            var bucket = 0;
            foreach (var rank in ranks)
            {
                while (start[bucket + 1] <= rank)
                {
                    bucket++;
                }
                bucketOfRank[rank] = bucket;
                if (wanted[bucket] == 0)
                {
                    wanted[bucket] = gatheredCount + 1;
                    gatheredCount += counts[bucket];
                }
            }
            var gathered = new double[gatheredCount];
            var fill = new int[Buckets];
            foreach (var value in values)
            {
                var b = BucketOf(value);
                if (wanted[b] != 0)
                {
                    gathered[wanted[b] - 1 + fill[b]++] = value;
                }
            }
            for (var b = 0; b < Buckets; b++)
            {
                if (wanted[b] != 0 && counts[b] > 1)
                {
                    var segment = gathered.AsSpan(wanted[b] - 1, counts[b]);
                    if (segment.IndexOfAnyExcept(segment[0]) >= 0) // one repeated value (a discrete column) is sorted already
                    {
                        RadixSort.Sort(segment);
                    }
                }
            }
            double OrderStatistic(int rank) => gathered[wanted[bucketOfRank[rank]] - 1 + (rank - start[bucketOfRank[rank]])];
            double Quantile(double p)
            {
                var position = (n - 1) * p;
                var lower = Math.Min((int)Math.Floor(position), n - 1);
                var fraction = position - lower;
                if (lower >= n - 1 || fraction == 0)
                {
                    return OrderStatistic(lower);
                }
                var (a, c) = (OrderStatistic(lower), OrderStatistic(lower + 1));
                return a + (fraction * (c - a));
            }

            var quantiles = options.Quantiles.Select(p => new QuantileValue(p, Quantile(p))).ToArray();
            var points = Enumerable.Range(0, QuantileSketch.Intervals + 1).Select(i => Quantile((double)i / QuantileSketch.Intervals)).ToArray();
            var edges = new double[bins + 1];
            if (hasFinite)
            {
                for (var i = 0; i < bins; i++)
                {
                    edges[i] = finiteMin + (i * width);
                }
                edges[bins] = finiteMax;
            }
            else
            {
                (edges[0], edges[^1]) = (min, max);
            }
            var standardDeviation = n > 1 ? Math.Sqrt(squares / (n - 1)) : 0.0;
            var summary = new NumericSummary(min, max, mean, standardDeviation, quantiles, new Histogram(edges, histogram))
            {
                Sketch = new QuantileSketch(n, points),
                Integral = integral,
            };
            var distinct = sketch.Estimate();
            // exact where it decides something: few values, or whole numbers that may all differ (a key)
            if (distinct < ExactDistinctBelow || (integral && distinct >= 0.9 * n))
            {
                distinct = ExactDistinct(values);
            }
            return (summary, distinct, sketch);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>The exact distinct count: an open-addressing set of the values' bits (-0.0 as 0.0), at least twice as large as the values.</summary>
    private static long ExactDistinct(ReadOnlySpan<double> values)
    {
        var capacity = (int)Math.Min(1 << 30, Math.Max(1 << 15, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)values.Length * 2)));
        var slots = new ulong[capacity];
        var used = new bool[capacity];
        var count = 0L;
        var previous = double.NaN;
        foreach (var value in values)
        {
            if (value == previous)
            {
                continue;
            }
            previous = value;
            var bits = BitConverter.DoubleToUInt64Bits(value == 0 ? 0.0 : value);
            var slot = (int)(HyperLogLog.Hash(value) & (ulong)(capacity - 1));
            while (used[slot] && slots[slot] != bits)
            {
                slot = (slot + 1) & (capacity - 1);
            }
            if (!used[slot])
            {
                (used[slot], slots[slot]) = (true, bits);
                count++;
            }
        }
        return count;
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
}
