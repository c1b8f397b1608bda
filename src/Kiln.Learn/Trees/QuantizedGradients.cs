using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Trees;

/// <summary>A tree's (gradient, hessian) pairs as integers packed in one 64-bit word per row: <c>hq · 2³² + gq</c>. Sums of
/// such words are exact 64-bit integer sums (no rounding, independent of order and thread count), a histogram update is one
/// integer add, and a histogram bin is 8 bytes instead of 16. The scales are chosen per tree so that no sum over the tree's
/// rows can leave 32 bits: |Σ gq| &lt; 2³¹ and Σ hq &lt; 2³¹, so a sum unpacks as G = (int)low word, H = (sum − G) / 2³².
/// With a million rows a value keeps 11 bits (a step of 1/2147 of the largest one); rounding is stochastic (unbiased),
/// from a hash of the value's position and the tree's salt, so results are reproducible (as in LightGBM's quantised training).</summary>
internal sealed class QuantizedGradients
{
    private const int Block = 65_536;

    public QuantizedGradients(int rowCount)
    {
        Values = GC.AllocateUninitializedArray<long>(rowCount);
    }

    /// <summary>Packed (hq, gq) by row index (only the rows of the last <see cref="Quantize"/> are set).</summary>
    public long[] Values { get; }

    /// <summary>Whether the rows of the last <see cref="Quantize"/> were consecutive indices (all rows, in order).</summary>
    public bool RowsConsecutive { get; private set; }

    /// <summary>Quantised units per unit of gradient.</summary>
    public double GradientScale { get; private set; } = 1;

    /// <summary>Quantised units per unit of hessian.</summary>
    public double HessianScale { get; private set; } = 1;

    /// <summary>Packs the pairs of <paramref name="rows"/> (repeats allowed) from interleaved floats, rounding stochastically
    /// (from <paramref name="salt"/>) or, with <paramref name="stochastic"/> false, to nearest. Returns the rows' exact
    /// (float-summed) gradient and hessian totals, found in the same pass as the scales. Blocks of consecutive rows (all
    /// rows, the usual case) run four rows per vector; others one at a time, with the same arithmetic and the same
    /// results.</summary>
    public (double Gradient, double Hessian) Quantize(ReadOnlySpan<int> rows, float[] gradHess, ulong salt, int threads, bool stochastic = true)
    {
        var count = rows.Length;
        // each packed sum stays below 2^31 in both halves however the rows are grouped
        var limit = Math.Max(1, (int.MaxValue / Math.Max(1, count)) - 1);
        var blocks = (count + Block - 1) / Block;
        var consecutive = new bool[blocks];
        var (sumG, sumH, maxG, maxH) = Scan(rows, gradHess, blocks, threads, consecutive);
        RowsConsecutive = consecutive.All(c => c);
        for (var b = 1; b < blocks && RowsConsecutive; b++)
        {
            RowsConsecutive = rows[b * Block] == rows[(b * Block) - 1] + 1;
        }
        var sg = maxG > 0 && double.IsFinite(maxG) ? limit / maxG : 1;
        var sh = maxH > 0 && double.IsFinite(maxH) ? limit / maxH : 1;
        GradientScale = sg;
        HessianScale = sh;
        _gradientUnit = 1 / sg;
        _hessianUnit = 1 / sh;
        var values = Values;
        // a non-finite gradient or hessian takes the scalar path everywhere, which packs it as 0
        var vectors = Avx2.IsSupported && double.IsFinite(sumG) && double.IsFinite(sumH);
        var mix = Mix(salt);
        unsafe
        {
            ForBlocks(rows, threads, (at, start, end, block) =>
            {
                var i = start;
                if (vectors && consecutive[block])
                {
                    i = PackVectors(gradHess, values, at[start], end - start, sg, sh, mix, stochastic) + start;
                }
                for (; i < end; i++)
                {
                    var r = at[i];
                    values[r] = Pack(gradHess[2 * r], gradHess[(2 * r) + 1], sg, sh, (uint)(2 * r), mix, stochastic);
                }
            });
        }
        return (sumG, sumH);
    }

    /// <summary>One row's word: each value scaled and rounded, down after adding a uniform draw in [0, 1) from the hash of
    /// its position in the interleaved array (stochastic) or to nearest (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Pack(float g, float h, double sg, double sh, uint position, uint mix, bool stochastic)
    {
        long gq, hq;
        if (stochastic)
        {
            gq = (long)Math.Floor((g * sg) + Uniform(Hash(position + mix)));
            hq = (long)Math.Floor((h * sh) + Uniform(Hash(position + 1 + mix)));
        }
        else
        {
            gq = (long)Math.Round(g * sg);
            hq = (long)Math.Round(h * sh);
        }
        return (hq << 32) + gq;
    }

    /// <summary><see cref="Pack"/> for <paramref name="count"/> consecutive rows from <paramref name="first"/>, four per
    /// vector (the pairs' layout, g h g h, is the lanes'); returns how many rows it packed (the rest, fewer than four, are
    /// left to the scalar loop).</summary>
    private static unsafe int PackVectors(float[] gradHess, long[] values, int first, int count, double sg, double sh, uint mix,
        bool stochastic)
    {
        var done = count & ~3;
        var scale = Vector256.Create(sg, sh, sg, sh);
        var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(mix);
        var signBit = Vector256.Create(0x8000_0000L);
        fixed (float* pairs = gradHess)
        fixed (long* words = values)
        {
            for (var i = 0; i < done; i += 4)
            {
                var r = first + i;
                var v = Avx.LoadVector256(pairs + (2 * r));
                var low = Avx.ConvertToVector256Double(v.GetLower()) * scale;
                var high = Avx.ConvertToVector256Double(v.GetUpper()) * scale;
                if (stochastic)
                {
                    var u = Hash(lanes + Vector256.Create((uint)(2 * r))) >>> 1;
                    var unit = Vector256.Create(1.0 / (1UL << 31));
                    low = Avx.Floor(low + (Avx.ConvertToVector256Double(u.AsInt32().GetLower()) * unit));
                    high = Avx.Floor(high + (Avx.ConvertToVector256Double(u.AsInt32().GetUpper()) * unit));
                }
                else
                {
                    low = Avx.RoundToNearestInteger(low);
                    high = Avx.RoundToNearestInteger(high);
                }
                // (gq, hq) as two ints is hq · 2³² + (uint)gq; a negative gq borrows 2³² from hq
                var q = Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(low), Avx.ConvertToVector128Int32WithTruncation(high))
                    .AsInt64();
                (q - ((q & signBit) << 1)).Store(words + r);
            }
        }
        return done;
    }

    /// <summary>The sums and largest |gradient| and hessian of <paramref name="count"/> consecutive rows from
    /// <paramref name="first"/>, four per vector (two accumulators, added at the end); returns how many rows it took.</summary>
    private static unsafe int ScanVectors(float[] gradHess, int first, int count, out double sumG, out double sumH, out double maxG,
        out double maxH)
    {
        var done = count & ~3;
        var sumLow = Vector256<double>.Zero;
        var sumHigh = Vector256<double>.Zero;
        var max = Vector256<float>.Zero;
        var magnitude = Vector256.Create(0x7FFF_FFFF).AsSingle();
        fixed (float* pairs = gradHess)
        {
            var p = pairs + (2 * first);
            for (var i = 0; i < done; i += 4, p += 8)
            {
                var v = Avx.LoadVector256(p);
                sumLow += Avx.ConvertToVector256Double(v.GetLower());
                sumHigh += Avx.ConvertToVector256Double(v.GetUpper());
                max = Avx.Max(max, v & magnitude);
            }
        }
        var sum = sumLow + sumHigh;
        sumG = sum[0] + sum[2];
        sumH = sum[1] + sum[3];
        maxG = Math.Max(Math.Max(max[0], max[2]), Math.Max(max[4], max[6]));
        maxH = Math.Max(Math.Max(max[1], max[3]), Math.Max(max[5], max[7]));
        return done;
    }

    /// <summary>Whether the rows at [start, end) are consecutive indices.</summary>
    private static unsafe bool Consecutive(int* rows, int start, int end)
    {
        var first = rows[start];
        for (var i = start + 1; i < end; i++)
        {
            if (rows[i] != first + (i - start))
            {
                return false;
            }
        }
        return true;
    }

    private double _gradientUnit = 1;
    private double _hessianUnit = 1;

    /// <summary>The gradient sum packed in <paramref name="sum"/>, in gradient units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Gradient(long sum) => (int)sum * _gradientUnit;

    /// <summary>The hessian sum packed in <paramref name="sum"/>, in hessian units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Hessian(long sum) => ((sum - (int)sum) >> 32) * _hessianUnit;

    /// <summary>A uniform draw in [0, 1) from 31 bits of a hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Uniform(uint hash) => (int)(hash >> 1) * (1.0 / (1UL << 31));

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
    private static (double SumG, double SumH, double MaxG, double MaxH) Scan(ReadOnlySpan<int> rows, float[] gradHess, int blocks, int threads,
        bool[] consecutive)
    {
        var partial = new (double SumG, double SumH, double MaxG, double MaxH)[blocks];
        unsafe
        {
            ForBlocks(rows, threads, (at, start, end, block) =>
            {
                double maxG = 0, maxH = 0, sumG = 0, sumH = 0;
                var i = start;
                consecutive[block] = Consecutive(at, start, end);
                if (Avx2.IsSupported && consecutive[block])
                {
                    i += ScanVectors(gradHess, at[start], end - start, out sumG, out sumH, out maxG, out maxH);
                }
                for (; i < end; i++)
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

    /// <summary>The salt folded to the 32 bits added to each position before hashing.</summary>
    private static uint Mix(ulong salt)
    {
        var z = (salt + 0x9E3779B97F4A7C15UL) * 0xBF58476D1CE4E5B9UL;
        return (uint)(z ^ (z >> 31));
    }

    /// <summary>A 32-bit integer hash (lowbias32): cheap enough to vectorise, and every input bit reaches every output bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU;
        return x ^ (x >> 16);
    }

    /// <summary><see cref="Hash(uint)"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Hash(Vector256<uint> x)
    {
        x ^= x >>> 16;
        x *= Vector256.Create(0x7FEB352DU);
        x ^= x >>> 15;
        x *= Vector256.Create(0x846CA68BU);
        return x ^ (x >>> 16);
    }
}
