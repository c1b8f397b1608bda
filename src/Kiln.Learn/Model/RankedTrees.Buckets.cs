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
/// the bucket's cuts are below the value. Most buckets hold at most one cut (on the benchmark data 99.9 % of values land
/// in one), so the rank is the start plus one scalar compare; a bucket with two to four cuts is marked and compared
/// with four cuts at once (one vector compare); one with more takes the two-level search (<see cref="Rank"/>). No chain
/// of dependent compares, and four values' buckets come from one vector computation — about half the time of the
/// two-level search.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Buckets per column.</summary>
    private const int Buckets = 1024;

    /// <summary>Flag of a bucket entry: the bucket holds two to four cuts (the low byte is its start).</summary>
    private const int Several = 0x100;

    /// <summary>Flag of a bucket entry: the bucket holds more cuts than a four-cut compare sees.</summary>
    private const int Crowded = 0x200;

    /// <summary>Per column, its first cut and the scale that maps the range of its cuts onto the buckets.</summary>
    private readonly double[] _bucketFirst;
    private readonly double[] _bucketScale;

    /// <summary>Per column, per bucket, the number of cuts in lower buckets, with <see cref="Several"/> or
    /// <see cref="Crowded"/> set when the bucket holds more than one cut.</summary>
    private readonly ushort[] _bucketStart;

    /// <summary>The bucket tables for <paramref name="cuts"/> (per column <see cref="CutSlots"/> sorted cuts, padded
    /// with +∞).</summary>
    private static (double[] First, double[] Scale, ushort[] Start) BucketTables(double[] cuts, int columns)
    {
        var first = new double[columns];
        var scale = new double[columns];
        var start = new ushort[columns * Buckets];
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
                var flag = counts[b] <= 1 ? 0 : counts[b] <= 4 && below + 4 <= CutSlots ? Several : Crowded;
                start[(c * Buckets) + b] = (ushort)(below | flag);
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
        int entry = _bucketStart[(column * Buckets) + Bucket(x, _bucketFirst[column], _bucketScale[column])];
        ref var cuts = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cuts), column * CutSlots);
        return RankFrom(column, ref cuts, entry, x);
    }

    /// <summary>The rank of <paramref name="x"/> from its bucket's <paramref name="entry"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RankFrom(int column, ref double cuts, int entry, double x)
    {
        if (entry < Several)
        {
            // at most one cut in the bucket: the cut at the start is the bucket's, or a higher bucket's (above x), or padding
            return entry + Unsafe.BitCast<bool, byte>(Unsafe.Add(ref cuts, entry) < x);
        }
        var start = entry & 0xFF;
        return entry < Crowded ? start + Below4(ref cuts, start, x) : Rank(ref cuts, PivotsOf(column), x);
    }

    /// <summary>How many of the four cuts from <paramref name="start"/> are below <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Below4(ref double cuts, int start, double x) =>
        BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref cuts, (nuint)start), Vector256.Create(x)).ExtractMostSignificantBits());

    /// <summary>Codes of one column for a chunk: <paramref name="present"/> values from <paramref name="x"/> (the rest of
    /// the 32 lanes padded), the missing-goes-left codes to <paramref name="left"/> and missing-goes-right ones to
    /// <paramref name="right"/> (see <see cref="Encode(double[], int, int, byte[], int)"/>). Four values at a time: their buckets in one vector
    /// computation, then a table read and a compare each. The right column is the left one copied, with the chunk's
    /// missing lanes (usually none) recoded afterwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EncodeColumn<TMissing>(int column, ref double x, int present, ref byte left, ref byte right)
        where TMissing : struct, IMissing
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
            missing |= TMissing.Lanes(values) << lane;
            Code(ref cuts, ref start, column, ref x, lane, buckets.ToScalar(), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 1, Sse41.Extract(buckets, 1), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 2, Sse41.Extract(buckets, 2), ref left);
            Code(ref cuts, ref start, column, ref x, lane + 3, Sse41.Extract(buckets, 3), ref left);
        }
        for (; lane < present; lane++)
        {
            var v = Unsafe.Add(ref x, lane);
            Unsafe.Add(ref left, lane) = (byte)(RankOf(column, v) ^ 0x80);
            missing |= TMissing.Lanes(Vector256.CreateScalar(v)) << lane;
        }
        for (; lane < Lanes; lane++)
        {
            Unsafe.Add(ref left, lane) = 0x80;
        }
        Unsafe.WriteUnaligned(ref right, Unsafe.ReadUnaligned<Vector256<byte>>(ref left));
        // a missing value codes 0 (NaN ranks 0 anyway), which every node sends left; the missing-goes-right column codes it 255
        for (; missing != 0; missing &= missing - 1)
        {
            var at = BitOperations.TrailingZeroCount(missing);
            Unsafe.Add(ref left, at) = 0x80;
            Unsafe.Add(ref right, at) = 0x7F;
        }
    }

    /// <summary>Which values a block's encoding treats as missing: a struct type argument, so each kind compiles on its own.</summary>
    private interface IMissing
    {
        /// <summary>Bit i set when lane i of <paramref name="values"/> is missing.</summary>
        static abstract uint Lanes(Vector256<double> values);
    }

    /// <summary>NaN only (blocks given as doubles: ±∞ are values, as in the reference walk).</summary>
    private readonly struct NaNMissing : IMissing
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Lanes(Vector256<double> values) => Vector256.IsNaN(values).ExtractMostSignificantBits();
    }

    /// <summary>NaN and ±∞ (a table's float64 column read in place: the feature view treats non-finite values as
    /// missing); v − v is NaN exactly for those.</summary>
    private readonly struct NonFiniteMissing : IMissing
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Lanes(Vector256<double> values) => Vector256.IsNaN(values - values).ExtractMostSignificantBits();
    }

    /// <summary>One value's missing-goes-left code, given its bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Code(ref double cuts, ref ushort starts, int column, ref double x, int lane, int bucket, ref byte left)
    {
        var rank = RankFrom(column, ref cuts, Unsafe.Add(ref starts, bucket), Unsafe.Add(ref x, lane));
        Unsafe.Add(ref left, lane) = (byte)(rank ^ 0x80);
    }
}
