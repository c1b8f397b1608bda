using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Learn.Trees;

/// <summary>How one feature's values map to bins. Bin 0 holds missing values; a numeric value v goes to
/// bin 1 + (number of upper bounds below v); a categorical code c goes to bin c + 1 (codes past
/// <see cref="MaxCategoricalCodes"/> count as missing).</summary>
internal sealed class FeatureBins
{
    /// <summary>Most bins a feature can have, the missing bin included.</summary>
    public const int MaxBins = 256;

    /// <summary>Categorical codes at or past this are binned as missing.</summary>
    public const int MaxCategoricalCodes = MaxBins - 1;

    public FeatureBins(bool categorical, double[] upperBounds, int binCount)
    {
        IsCategorical = categorical;
        UpperBounds = upperBounds;
        BinCount = binCount;
    }

    public bool IsCategorical { get; }

    /// <summary>Numeric: ascending bin boundaries; bin b (1-based) holds values in (UpperBounds[b-2], UpperBounds[b-1]].</summary>
    public double[] UpperBounds { get; }

    /// <summary>Bins used, the missing bin included.</summary>
    public int BinCount { get; }

    public byte Bin(double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }
        if (IsCategorical)
        {
            var code = (int)value;
            return code < MaxCategoricalCodes ? (byte)(code + 1) : (byte)0;
        }
        // branch-free lower bound: the number of bounds below value
        var n = UpperBounds.Length;
        if (n == 0)
        {
            return 1;
        }
        ref var bounds = ref MemoryMarshal.GetArrayDataReference(UpperBounds);
        var lo = 0;
        while (n > 1)
        {
            var half = n >> 1;
            var less = Unsafe.Add(ref bounds, lo + half - 1) < value;
            lo += half & -Unsafe.As<bool, byte>(ref less);
            n -= half;
        }
        var last = Unsafe.Add(ref bounds, lo) < value;
        return (byte)(lo + 1 + Unsafe.As<bool, byte>(ref last));
    }

    /// <summary>Bins many values at once: <c>destination[i * stride]</c> = <see cref="Bin"/>(<paramref name="values"/>[i]).
    /// The binary search takes the same steps for every value, so it runs step by step over the whole block: the
    /// values' loads are independent and overlap instead of waiting on each other as one search at a time would.</summary>
    /// <param name="values">The values to bin.</param>
    /// <param name="positions">Scratch, at least as long as <paramref name="values"/>.</param>
    /// <param name="destination">Where the bins go.</param>
    /// <param name="stride">Distance between consecutive outputs in <paramref name="destination"/>.</param>
    public void BinMany(ReadOnlySpan<double> values, Span<int> positions, Span<byte> destination, int stride)
    {
        var count = values.Length;
        if (IsCategorical || UpperBounds.Length == 0)
        {
            for (var i = 0; i < count; i++)
            {
                destination[i * stride] = Bin(values[i]);
            }
            return;
        }
        var lo = positions[..count];
        lo.Clear();
        ref var bounds = ref MemoryMarshal.GetArrayDataReference(UpperBounds);
        ref var value = ref MemoryMarshal.GetReference(values);
        ref var at = ref MemoryMarshal.GetReference(lo);
        var n = UpperBounds.Length;
        while (n > 1)
        {
            // every position stays within [0, n - half) of the bounds, so the reads below are in range
            var half = n >> 1;
            for (var i = 0; i < count; i++)
            {
                ref var position = ref Unsafe.Add(ref at, i);
                var less = Unsafe.Add(ref bounds, position + half - 1) < Unsafe.Add(ref value, i);
                position += half & -Unsafe.As<bool, byte>(ref less);
            }
            n -= half;
        }
        for (var i = 0; i < count; i++)
        {
            var v = values[i];
            var less = Unsafe.Add(ref bounds, lo[i]) < v;
            // NaN compares false everywhere: it lands at 0 and goes to the missing bin
            destination[i * stride] = double.IsNaN(v) ? (byte)0 : (byte)(lo[i] + 1 + Unsafe.As<bool, byte>(ref less));
        }
    }

    /// <summary>The raw threshold of the numeric split "bin ≤ <paramref name="bin"/>": values ≤ it go left.</summary>
    public double Threshold(int bin) => UpperBounds[bin - 1];

    /// <summary>Numeric bins from quantiles of <paramref name="values"/> (NaN = missing), at most <paramref name="maxBins"/> bins in all.</summary>
    public static FeatureBins ForNumeric(ReadOnlySpan<double> values, int maxBins) => ForNumericInPlace(values.ToArray(), maxBins);

    /// <summary><see cref="ForNumeric"/> on an array it may reorder (no copies: choosing bins for many wide features
    /// at once would otherwise allocate several times the sample per feature).</summary>
    public static FeatureBins ForNumericInPlace(double[] values, int maxBins)
    {
        // missing values out, the rest sorted
        var n = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                values[n++] = v;
            }
        }
        var sorted = values.AsSpan(0, n);
        DoubleSort.Sort(sorted);
        var distinct = 0;
        for (var i = 0; i < n; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                distinct++;
            }
        }
        var valueBins = maxBins - 1;
        var bounds = new List<double>();
        if (distinct <= valueBins)
        {
            // every distinct value its own bin: the bounds are the midpoints between neighbours
            for (var i = 1; i < n; i++)
            {
                if (sorted[i] != sorted[i - 1])
                {
                    bounds.Add(Midpoint(sorted[i - 1], sorted[i]));
                }
            }
        }
        else
        {
            // quantiles: the run of equal values [runStart, runEnd) that the j-th quantile falls in closes bin j
            var runStart = 0;
            var runEnd = RunEnd(sorted, 0);
            var run = 0;
            for (var j = 1; j < valueBins; j++)
            {
                var wanted = (long)j * n / valueBins;
                while (run < distinct - 1 && runEnd < wanted)
                {
                    runStart = runEnd;
                    runEnd = RunEnd(sorted, runStart);
                    run++;
                }
                if (run >= distinct - 1)
                {
                    break;
                }
                var bound = Midpoint(sorted[runStart], sorted[runEnd]);
                if (bounds.Count == 0 || bound > bounds[^1])
                {
                    bounds.Add(bound);
                }
            }
        }
        return new FeatureBins(false, [.. bounds], bounds.Count + 2);
    }

    private static int RunEnd(ReadOnlySpan<double> sorted, int start)
    {
        var end = start + 1;
        while (end < sorted.Length && sorted[end] == sorted[start])
        {
            end++;
        }
        return end;
    }

    /// <summary>Categorical bins: one per category code (up to <see cref="MaxCategoricalCodes"/>).</summary>
    public static FeatureBins ForCategorical(int categoryCount) =>
        new(true, [], Math.Min(categoryCount, MaxCategoricalCodes) + 1);

    private static double Midpoint(double a, double b)
    {
        var mid = a + ((b - a) / 2);
        return mid < b ? mid : a;
    }
}
