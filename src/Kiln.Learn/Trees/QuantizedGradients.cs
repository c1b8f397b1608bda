using System.Runtime.CompilerServices;

namespace Kiln.Learn.Trees;

/// <summary>A tree's (gradient, hessian) pairs as integers packed in one 64-bit word per row: <c>hq · 2³² + gq</c>. Sums of
/// such words are exact 64-bit integer sums (no rounding, independent of order and thread count), a histogram update is one
/// integer add, and a histogram bin is 8 bytes instead of 16. The scales are chosen per tree so that no sum over the tree's
/// rows can leave 32 bits: |Σ gq| &lt; 2³¹ and Σ hq &lt; 2³¹, so a sum unpacks as G = (int)low word, H = (sum − G) / 2³².
/// With a million rows a value keeps 11 bits (a step of 1/2147 of the largest one); rounding is stochastic (unbiased),
/// from a hash of the row and the tree, so results are reproducible (as in LightGBM's quantised training).</summary>
internal sealed class QuantizedGradients
{
    private const int Block = 65_536;

    public QuantizedGradients(int rowCount)
    {
        Values = GC.AllocateUninitializedArray<long>(rowCount);
    }

    /// <summary>Packed (hq, gq) by row index (only the rows of the last <see cref="Quantize"/> are set).</summary>
    public long[] Values { get; }

    /// <summary>Quantised units per unit of gradient.</summary>
    public double GradientScale { get; private set; } = 1;

    /// <summary>Quantised units per unit of hessian.</summary>
    public double HessianScale { get; private set; } = 1;

    /// <summary>Packs the pairs of <paramref name="rows"/> (repeats allowed) from interleaved floats, rounding stochastically
    /// (from <paramref name="salt"/>) or, with <paramref name="stochastic"/> false, to nearest. Returns the rows' exact
    /// (float-summed) gradient and hessian totals, found in the same pass as the scales.</summary>
    public (double Gradient, double Hessian) Quantize(ReadOnlySpan<int> rows, float[] gradHess, ulong salt, int threads, bool stochastic = true)
    {
        var count = rows.Length;
        // each packed sum stays below 2^31 in both halves however the rows are grouped
        var limit = Math.Max(1, (int.MaxValue / Math.Max(1, count)) - 1);
        var blocks = (count + Block - 1) / Block;
        var (sumG, sumH, maxG, maxH) = Scan(rows, gradHess, blocks, threads);
        var sg = maxG > 0 && double.IsFinite(maxG) ? limit / maxG : 1;
        var sh = maxH > 0 && double.IsFinite(maxH) ? limit / maxH : 1;
        GradientScale = sg;
        HessianScale = sh;
        _gradientUnit = 1 / sg;
        _hessianUnit = 1 / sh;
        var values = Values;
        unsafe
        {
            ForBlocks(rows, threads, (at, start, end, _) =>
            {
                for (var i = start; i < end; i++)
                {
                    var r = at[i];
                    long gq, hq;
                    if (stochastic)
                    {
                        // one hash gives both roundings their 32 random bits
                        var bits = Hash(salt, (uint)r);
                        gq = Round(gradHess[2 * r] * sg, (uint)bits);
                        hq = Round(gradHess[(2 * r) + 1] * sh, (uint)(bits >> 32));
                    }
                    else
                    {
                        gq = (long)Math.Round(gradHess[2 * r] * sg);
                        hq = (long)Math.Round(gradHess[(2 * r) + 1] * sh);
                    }
                    values[r] = (hq << 32) + gq;
                }
            });
        }
        return (sumG, sumH);
    }

    private double _gradientUnit = 1;
    private double _hessianUnit = 1;

    /// <summary>The gradient sum packed in <paramref name="sum"/>, in gradient units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Gradient(long sum) => (int)sum * _gradientUnit;

    /// <summary>The hessian sum packed in <paramref name="sum"/>, in hessian units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Hessian(long sum) => ((sum - (int)sum) >> 32) * _hessianUnit;

    /// <summary>floor(x + u), u uniform in [0, 1) from <paramref name="bits"/>: an unbiased rounding of x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Round(double x, uint bits) => (long)Math.Floor(x + (bits * (1.0 / (1UL << 32))));

    /// <summary>The body of a pass over one block of rows: the row indices, the block's range in them, the block's number.</summary>
    private unsafe delegate void BlockBody(int* rows, int start, int end, int block);

    /// <summary>Runs <paramref name="body"/> over the rows in blocks of <see cref="Block"/>, on up to <paramref name="threads"/> threads.</summary>
    private static unsafe void ForBlocks(ReadOnlySpan<int> rows, int threads, BlockBody body)
    {
        var count = rows.Length;
        var blocks = (count + Block - 1) / Block;
        fixed (int* rowBase = rows)
        {
            var rowPointer = (nint)rowBase;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
                b => body((int*)rowPointer, b * Block, Math.Min(count, (b + 1) * Block), b));
        }
    }

    /// <summary>The rows' gradient and hessian sums and largest |gradient| and hessian: per block of rows on the
    /// threads, then the blocks' sums added in block order (the same totals whatever the thread count).</summary>
    private static (double SumG, double SumH, double MaxG, double MaxH) Scan(ReadOnlySpan<int> rows, float[] gradHess, int blocks, int threads)
    {
        var partial = new (double SumG, double SumH, double MaxG, double MaxH)[blocks];
        unsafe
        {
            ForBlocks(rows, threads, (at, start, end, block) =>
            {
                double maxG = 0, maxH = 0, sumG = 0, sumH = 0;
                for (var i = start; i < end; i++)
                {
                    var r = at[i];
                    var g = gradHess[2 * r];
                    var h = gradHess[(2 * r) + 1];
                    sumG += g;
                    sumH += h;
                    maxG = Math.Max(maxG, Math.Abs(g));
                    maxH = Math.Max(maxH, h);
                }
                partial[block] = (sumG, sumH, maxG, maxH);
            });
        }
        double totalG = 0, totalH = 0, largestG = 0, largestH = 0;
        foreach (var (sumG, sumH, maxG, maxH) in partial)
        {
            totalG += sumG;
            totalH += sumH;
            largestG = Math.Max(largestG, maxG);
            largestH = Math.Max(largestH, maxH);
        }
        return (totalG, totalH, largestG, largestH);
    }

    /// <summary>A 64-bit mix (SplitMix64's finaliser) of the salt and the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ulong salt, uint row)
    {
        var z = salt + (row * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
