using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>Ranking values by bucket: each column's range (first to last cut) is split into <see cref="Buckets"/> equal
/// buckets, and a table gives, per bucket, how many cuts lie in the buckets below it. A value's bucket
/// (<c>(x − first cut) × scale</c>, clamped and truncated) is a monotone function of the value, so every cut in a lower
/// bucket is below the value and every cut in a higher one above it: the rank is the bucket's start plus how many of
/// the four cuts from there are below the value (one vector compare). A bucket holding more than four cuts is marked
/// and its values take the two-level search (<see cref="Rank"/>). No chain of dependent compares, and four values'
/// buckets come from one vector computation — about half the time of the two-level search.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Buckets per column.</summary>
    private const int Buckets = 1024;

    /// <summary>A bucket's start that marks it as holding more cuts than one compare sees (a real start is at most 254).</summary>
    private const byte Crowded = 255;

    /// <summary>Per column, its first cut and the scale that maps the range of its cuts onto the buckets.</summary>
    private readonly double[] _bucketFirst;
    private readonly double[] _bucketScale;

    /// <summary>Per column, per bucket, the number of cuts in lower buckets (or <see cref="Crowded"/>).</summary>
    private readonly byte[] _bucketStart;

    /// <summary>The bucket tables for <paramref name="cuts"/> (per column <see cref="CutSlots"/> sorted cuts, padded
    /// with +∞).</summary>
    private static (double[] First, double[] Scale, byte[] Start) BucketTables(double[] cuts, int columns)
    {
        var first = new double[columns];
        var scale = new double[columns];
        var start = new byte[columns * Buckets];
        Span<int> counts = new int[Buckets];
        for (var c = 0; c < columns; c++)
        {
            var column = cuts.AsSpan(c * CutSlots, CutSlots);
            var count = column.IndexOf(double.PositiveInfinity);
            count = count < 0 ? CutSlots : count;
            if (count > 0)
            {
                first[c] = column[0];
                var range = column[count - 1] - column[0];
                scale[c] = range > 0 && double.IsFinite((Buckets - 1) / range) ? (Buckets - 1) / range : 0;
            }
            counts.Clear();
            for (var j = 0; j < count; j++)
            {
                counts[Bucket(column[j], first[c], scale[c])]++;
            }
            var below = 0;
            for (var b = 0; b < Buckets; b++)
            {
                // four cuts are compared from the start, which must stay inside the column
                var crowded = counts[b] > 4 || below + 4 > CutSlots;
                start[(c * Buckets) + b] = crowded ? Crowded : (byte)below;
                below += counts[b];
            }
        }
        return (first, scale, start);
    }

    /// <summary>The bucket of <paramref name="x"/> (NaN in bucket 0): vmaxpd returns its second operand when either is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(double x, double first, double scale)
    {
        var v = Vector128.CreateScalarUnsafe((x - first) * scale);
        v = Sse2.MinScalar(Sse2.MaxScalar(v, Vector128<double>.Zero), Vector128.CreateScalarUnsafe((double)(Buckets - 1)));
        return Sse2.ConvertToInt32WithTruncation(v);
    }

    /// <summary>How many cuts of column <paramref name="column"/> are below <paramref name="x"/> (0 for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int RankOf(int column, double x)
    {
        var start = _bucketStart[(column * Buckets) + Bucket(x, _bucketFirst[column], _bucketScale[column])];
        ref var cuts = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cuts), column * CutSlots);
        return start == Crowded ? Rank(ref cuts, PivotsOf(column), x) : start + Below4(ref cuts, start, x);
    }

    /// <summary>How many of the four cuts from <paramref name="start"/> are below <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Below4(ref double cuts, int start, double x) =>
        BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref cuts, (nuint)start), Vector256.Create(x)).ExtractMostSignificantBits());

    /// <summary>Codes of one column for a chunk: <paramref name="present"/> values from <paramref name="x"/> (the rest of
    /// the 32 lanes padded), the missing-goes-left codes to <paramref name="left"/> and missing-goes-right ones to
    /// <paramref name="right"/> (see <see cref="Encode"/>). Four values at a time: their buckets in one vector
    /// computation, then a table read and a compare each. The right column is the left one copied, with the chunk's
    /// NaN lanes (usually none) recoded afterwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EncodeColumn(int column, ref double x, int present, ref byte left, ref byte right)
    {
        ref var cuts = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cuts), column * CutSlots);
        ref var start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bucketStart), column * Buckets);
        var first = Vector256.Create(_bucketFirst[column]);
        var scale = Vector256.Create(_bucketScale[column]);
        var top = Vector256.Create((double)(Buckets - 1));
        var missing = 0u;
        var lane = 0;
        for (; lane + 4 <= present; lane += 4)
        {
            var values = Vector256.LoadUnsafe(ref x, (nuint)lane);
            var buckets = Avx.ConvertToVector128Int32WithTruncation(Avx.Min(Avx.Max(Avx.Multiply(Avx.Subtract(values, first), scale), Vector256<double>.Zero), top));
            missing |= Vector256.IsNaN(values).ExtractMostSignificantBits() << lane;
            Code(ref cuts, ref start, column, ref x, lane, buckets.ToScalar(), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 1, Sse41.Extract(buckets, 1), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 2, Sse41.Extract(buckets, 2), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 3, Sse41.Extract(buckets, 3), ref left);
        }
        for (; lane < present; lane++)
        {
            var v = Unsafe.Add(ref x, lane);
            Unsafe.Add(ref left, lane) = (byte)(RankOf(column, v) ^ 0x80);
            missing |= double.IsNaN(v) ? 1u << lane : 0;
        }
        for (; lane < Lanes; lane++)
        {
            Unsafe.Add(ref left, lane) = 0x80;
        }
        Unsafe.WriteUnaligned(ref right, Unsafe.ReadUnaligned<Vector256<byte>>(ref left));
        // NaN ranks 0, which every node sends left; the missing-goes-right column codes it 255
        for (; missing != 0; missing &= missing - 1)
        {
            Unsafe.Add(ref right, BitOperations.TrailingZeroCount(missing)) = 0x7F;
        }
    }

    /// <summary>One value's missing-goes-left code, given its bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Code(ref double cuts, ref byte starts, int column, ref double x, int lane, int bucket, ref byte left)
    {
        var value = Unsafe.Add(ref x, lane);
        int start = Unsafe.Add(ref starts, bucket);
        var rank = start != Crowded ? start + Below4(ref cuts, start, value) : Rank(ref cuts, PivotsOf(column), value);
        Unsafe.Add(ref left, lane) = (byte)(rank ^ 0x80);
    }
}
