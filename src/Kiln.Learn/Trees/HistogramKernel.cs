using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Trees;

/// <summary>Adds rows' packed (gradient, hessian) words (<see cref="QuantizedGradients"/>) into per-feature histograms. A
/// histogram holds, for feature f and bin b, the packed sum at [f * 256 + b]: an update is one integer add to memory.</summary>
internal static unsafe class HistogramKernel
{
    /// <summary>How many rows ahead the kernels prefetch a row's bins and word (rows of a deep node are far apart).</summary>
    private const int PrefetchDistance = 16;

    /// <summary>All features, rows given by index.</summary>
    public static void Build(byte[] bins, int featureCount, ReadOnlySpan<int> rows, long[] packed, long[] histogram)
    {
        fixed (byte* binBase = bins)
        fixed (int* rowBase = rows)
        fixed (long* words = packed)
        fixed (long* hist = histogram)
        {
            var count = rows.Length;
            for (var i = 0; i < count; i++)
            {
                Prefetch(binBase, words, rowBase, i, count, featureCount);
                var r = rowBase[i];
                var v = words[r];
                var rb = binBase + ((long)r * featureCount);
                AddRow(hist, rb, featureCount, v);
            }
        }
    }

    /// <summary>All features, rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>): a forward scan
    /// of the matrix with no row indices to read and nothing to prefetch by hand (a tree's root, ~10 % faster).</summary>
    public static void BuildRange(byte[] bins, int featureCount, int start, int count, long[] packed, long[] histogram)
    {
        fixed (byte* binBase = bins)
        fixed (long* words = packed)
        fixed (long* hist = histogram)
        {
            var rb = binBase + ((long)start * featureCount);
            var end = start + count;
            for (var r = start; r < end; r++)
            {
                AddRow(hist, rb, featureCount, words[r]);
                rb += featureCount;
            }
        }
    }

    /// <summary>Only the listed features, rows given by index.</summary>
    public static void Build(byte[] bins, int featureCount, ReadOnlySpan<int> rows, long[] packed, ReadOnlySpan<int> features, long[] histogram)
    {
        fixed (byte* binBase = bins)
        fixed (int* rowBase = rows)
        fixed (int* featureBase = features)
        fixed (long* words = packed)
        fixed (long* hist = histogram)
        {
            var count = rows.Length;
            var used = features.Length;
            for (var i = 0; i < count; i++)
            {
                Prefetch(binBase, words, rowBase, i, count, featureCount);
                var r = rowBase[i];
                var v = words[r];
                var rowBins = binBase + ((long)r * featureCount);
                for (var j = 0; j < used; j++)
                {
                    var f = featureBase[j];
                    hist[(f * FeatureBins.MaxBins) + rowBins[f]] += v;
                }
            }
        }
    }

    /// <summary>Adds <paramref name="v"/> to each feature's bin of one row (<paramref name="rowBins"/>), four features per
    /// iteration: each update is a byte load and an add to memory.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void AddRow(long* hist, byte* rowBins, int featureCount, long v)
    {
        var rb = rowBins;
        var rowEnd = rb + featureCount;
        var h = hist;
        for (; rb + 4 <= rowEnd; rb += 4, h += 4 * FeatureBins.MaxBins)
        {
            h[rb[0]] += v;
            h[FeatureBins.MaxBins + rb[1]] += v;
            h[(2 * FeatureBins.MaxBins) + rb[2]] += v;
            h[(3 * FeatureBins.MaxBins) + rb[3]] += v;
        }
        for (; rb < rowEnd; rb++, h += FeatureBins.MaxBins)
        {
            h[rb[0]] += v;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* binBase, long* words, int* rowBase, int i, int count, int featureCount)
    {
        if (Sse.IsSupported && i + PrefetchDistance < count)
        {
            var ahead = rowBase[i + PrefetchDistance];
            var bins = binBase + ((long)ahead * featureCount);
            Sse.Prefetch0(bins);
            Sse.Prefetch0(bins + featureCount - 1);
            Sse.Prefetch0(words + ahead);
        }
    }

    /// <summary><paramref name="target"/> -= <paramref name="other"/> over the listed features (exact: integer sums).</summary>
    public static void Subtract(long[] target, long[] other, ReadOnlySpan<int> features)
    {
        foreach (var f in features)
        {
            var t = target.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins);
            var o = other.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins);
            for (var i = 0; i < t.Length; i += Vector256<long>.Count)
            {
                (Vector256.Create(t.Slice(i)) - Vector256.Create(o.Slice(i))).CopyTo(t.Slice(i));
            }
        }
    }

    /// <summary><paramref name="target"/> += <paramref name="other"/> over the listed features.</summary>
    public static void Add(long[] target, long[] other, ReadOnlySpan<int> features)
    {
        foreach (var f in features)
        {
            var t = target.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins);
            var o = other.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins);
            for (var i = 0; i < t.Length; i += Vector256<long>.Count)
            {
                (Vector256.Create(t.Slice(i)) + Vector256.Create(o.Slice(i))).CopyTo(t.Slice(i));
            }
        }
    }

    /// <summary>Zeroes the listed features' parts of <paramref name="histogram"/>.</summary>
    public static void Clear(long[] histogram, ReadOnlySpan<int> features, bool allFeatures)
    {
        if (allFeatures)
        {
            Array.Clear(histogram);
            return;
        }
        foreach (var f in features)
        {
            histogram.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins).Clear();
        }
    }
}
