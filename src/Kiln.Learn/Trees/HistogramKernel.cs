using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Trees;

/// <summary>Adds rows' (gradient, hessian) pairs into per-feature histograms. A histogram holds, for feature f and bin b,
/// the sums at [(f * 256 + b) * 2] (gradient) and [+1] (hessian), as doubles.</summary>
internal static unsafe class HistogramKernel
{
    public const int FeatureStride = FeatureBins.MaxBins * 2;

    private const int FeatureBytes = FeatureStride * sizeof(double);

    /// <summary>How many rows ahead the kernels prefetch a row's bins and gradients (rows of a deep node are far apart).</summary>
    private const int PrefetchDistance = 16;

    /// <summary>All features, rows given by index.</summary>
    public static void Build(byte[] bins, int featureCount, ReadOnlySpan<int> rows, float[] gradHess, double[] histogram)
    {
        fixed (byte* binBase = bins)
        fixed (int* rowBase = rows)
        fixed (float* gh = gradHess)
        fixed (double* hist = histogram)
        {
            var count = rows.Length;
            for (var i = 0; i < count; i++)
            {
                Prefetch(binBase, gh, rowBase, i, count, featureCount);
                var r = rowBase[i];
                var pair = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(double*)(gh + (2L * r))).AsSingle());
                var rowBins = binBase + ((long)r * featureCount);
                // four features per iteration on native-sized pointers: each update is movzx, shl, add-from-memory, store
                var h = (byte*)hist;
                var rb = rowBins;
                var rowEnd = rowBins + featureCount;
                for (; rb + 4 <= rowEnd; rb += 4, h += 4 * FeatureBytes)
                {
                    var p0 = (double*)(h + ((nuint)rb[0] << 4));
                    var p1 = (double*)(h + FeatureBytes + ((nuint)rb[1] << 4));
                    var p2 = (double*)(h + (2 * FeatureBytes) + ((nuint)rb[2] << 4));
                    var p3 = (double*)(h + (3 * FeatureBytes) + ((nuint)rb[3] << 4));
                    Vector128.Store(Vector128.Load(p0) + pair, p0);
                    Vector128.Store(Vector128.Load(p1) + pair, p1);
                    Vector128.Store(Vector128.Load(p2) + pair, p2);
                    Vector128.Store(Vector128.Load(p3) + pair, p3);
                }
                for (; rb < rowEnd; rb++, h += FeatureBytes)
                {
                    var p = (double*)(h + ((nuint)rb[0] << 4));
                    Vector128.Store(Vector128.Load(p) + pair, p);
                }
            }
        }
    }

    /// <summary>Only the listed features, rows given by index.</summary>
    public static void Build(byte[] bins, int featureCount, ReadOnlySpan<int> rows, float[] gradHess, ReadOnlySpan<int> features, double[] histogram)
    {
        fixed (byte* binBase = bins)
        fixed (int* rowBase = rows)
        fixed (int* featureBase = features)
        fixed (float* gh = gradHess)
        fixed (double* hist = histogram)
        {
            var count = rows.Length;
            var used = features.Length;
            for (var i = 0; i < count; i++)
            {
                Prefetch(binBase, gh, rowBase, i, count, featureCount);
                var r = rowBase[i];
                var pair = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(double*)(gh + (2L * r))).AsSingle());
                var rowBins = binBase + ((long)r * featureCount);
                for (var j = 0; j < used; j++)
                {
                    var f = featureBase[j];
                    var p = hist + (f * FeatureStride) + (rowBins[f] * 2);
                    Vector128.Store(Vector128.Load(p) + pair, p);
                }
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* binBase, float* gh, int* rowBase, int i, int count, int featureCount)
    {
        if (Sse.IsSupported && i + PrefetchDistance < count)
        {
            var ahead = rowBase[i + PrefetchDistance];
            var bins = binBase + ((long)ahead * featureCount);
            Sse.Prefetch0(bins);
            Sse.Prefetch0(bins + featureCount - 1);
            Sse.Prefetch0(gh + (2L * ahead));
        }
    }

    /// <summary><paramref name="target"/> -= <paramref name="other"/> over the listed features.</summary>
    public static void Subtract(double[] target, double[] other, ReadOnlySpan<int> features)
    {
        foreach (var f in features)
        {
            var t = target.AsSpan(f * FeatureStride, FeatureStride);
            var o = other.AsSpan(f * FeatureStride, FeatureStride);
            for (var i = 0; i < t.Length; i += Vector256<double>.Count)
            {
                (Vector256.Create(t.Slice(i)) - Vector256.Create(o.Slice(i))).CopyTo(t.Slice(i));
            }
        }
    }

    /// <summary><paramref name="target"/> += <paramref name="other"/> over the listed features.</summary>
    public static void Add(double[] target, double[] other, ReadOnlySpan<int> features)
    {
        foreach (var f in features)
        {
            var t = target.AsSpan(f * FeatureStride, FeatureStride);
            var o = other.AsSpan(f * FeatureStride, FeatureStride);
            for (var i = 0; i < t.Length; i += Vector256<double>.Count)
            {
                (Vector256.Create(t.Slice(i)) + Vector256.Create(o.Slice(i))).CopyTo(t.Slice(i));
            }
        }
    }

    /// <summary>Zeroes the listed features' parts of <paramref name="histogram"/>.</summary>
    public static void Clear(double[] histogram, ReadOnlySpan<int> features, bool allFeatures)
    {
        if (allFeatures)
        {
            Array.Clear(histogram);
            return;
        }
        foreach (var f in features)
        {
            histogram.AsSpan(f * FeatureStride, FeatureStride).Clear();
        }
    }
}
