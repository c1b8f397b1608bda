using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>The AVX2 traversal of <see cref="RankedTrees"/>: one tree over 32 rows at once.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>The leaf each of 32 rows reaches in one depth-6 tree. Every node's test is evaluated for all 32 rows (one
    /// signed byte compare: "bound &gt; code" is "goes left"), and each level's outcome is picked out of its nodes by
    /// the path so far: a tournament of blends whose masks are the earlier levels' outcomes (level 0's outcome decides
    /// between the halves of a level, level 1's between their halves, and so on). 63 compares and 57 blends per tree
    /// for 32 rows, no gathers; the leaf index is the path's right turns as bits (level 0 the highest).</summary>
    /// <remarks>The body is the unrolled tournament for six levels (written out by a small script; the pattern is
    /// regular: level d blends nodes 2^d − 1 … 2^(d+1) − 2 pairwise by the outcome of level d − 1 (l(d−1)), then
    /// those by l(d−2), …, then by l0).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<sbyte> LeafIndices(ref int bounds, ref ushort offsets, ref byte codes)
    {
        var l0 = Left(ref bounds, ref offsets, ref codes, 0);
        var l1 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 2), Left(ref bounds, ref offsets, ref codes, 1), l0);
        var s2 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 4), Left(ref bounds, ref offsets, ref codes, 3), l1);
        var s3 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 6), Left(ref bounds, ref offsets, ref codes, 5), l1);
        var l2 = Avx2.BlendVariable(s3, s2, l0);
        var s5 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 8), Left(ref bounds, ref offsets, ref codes, 7), l2);
        var s6 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 10), Left(ref bounds, ref offsets, ref codes, 9), l2);
        var s7 = Avx2.BlendVariable(s6, s5, l1);
        var s8 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 12), Left(ref bounds, ref offsets, ref codes, 11), l2);
        var s9 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 14), Left(ref bounds, ref offsets, ref codes, 13), l2);
        var s10 = Avx2.BlendVariable(s9, s8, l1);
        var l3 = Avx2.BlendVariable(s10, s7, l0);
        var s12 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 16), Left(ref bounds, ref offsets, ref codes, 15), l3);
        var s13 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 18), Left(ref bounds, ref offsets, ref codes, 17), l3);
        var s14 = Avx2.BlendVariable(s13, s12, l2);
        var s15 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 20), Left(ref bounds, ref offsets, ref codes, 19), l3);
        var s16 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 22), Left(ref bounds, ref offsets, ref codes, 21), l3);
        var s17 = Avx2.BlendVariable(s16, s15, l2);
        var s18 = Avx2.BlendVariable(s17, s14, l1);
        var s19 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 24), Left(ref bounds, ref offsets, ref codes, 23), l3);
        var s20 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 26), Left(ref bounds, ref offsets, ref codes, 25), l3);
        var s21 = Avx2.BlendVariable(s20, s19, l2);
        var s22 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 28), Left(ref bounds, ref offsets, ref codes, 27), l3);
        var s23 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 30), Left(ref bounds, ref offsets, ref codes, 29), l3);
        var s24 = Avx2.BlendVariable(s23, s22, l2);
        var s25 = Avx2.BlendVariable(s24, s21, l1);
        var l4 = Avx2.BlendVariable(s25, s18, l0);
        var s27 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 32), Left(ref bounds, ref offsets, ref codes, 31), l4);
        var s28 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 34), Left(ref bounds, ref offsets, ref codes, 33), l4);
        var s29 = Avx2.BlendVariable(s28, s27, l3);
        var s30 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 36), Left(ref bounds, ref offsets, ref codes, 35), l4);
        var s31 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 38), Left(ref bounds, ref offsets, ref codes, 37), l4);
        var s32 = Avx2.BlendVariable(s31, s30, l3);
        var s33 = Avx2.BlendVariable(s32, s29, l2);
        var s34 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 40), Left(ref bounds, ref offsets, ref codes, 39), l4);
        var s35 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 42), Left(ref bounds, ref offsets, ref codes, 41), l4);
        var s36 = Avx2.BlendVariable(s35, s34, l3);
        var s37 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 44), Left(ref bounds, ref offsets, ref codes, 43), l4);
        var s38 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 46), Left(ref bounds, ref offsets, ref codes, 45), l4);
        var s39 = Avx2.BlendVariable(s38, s37, l3);
        var s40 = Avx2.BlendVariable(s39, s36, l2);
        var s41 = Avx2.BlendVariable(s40, s33, l1);
        var s42 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 48), Left(ref bounds, ref offsets, ref codes, 47), l4);
        var s43 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 50), Left(ref bounds, ref offsets, ref codes, 49), l4);
        var s44 = Avx2.BlendVariable(s43, s42, l3);
        var s45 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 52), Left(ref bounds, ref offsets, ref codes, 51), l4);
        var s46 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 54), Left(ref bounds, ref offsets, ref codes, 53), l4);
        var s47 = Avx2.BlendVariable(s46, s45, l3);
        var s48 = Avx2.BlendVariable(s47, s44, l2);
        var s49 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 56), Left(ref bounds, ref offsets, ref codes, 55), l4);
        var s50 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 58), Left(ref bounds, ref offsets, ref codes, 57), l4);
        var s51 = Avx2.BlendVariable(s50, s49, l3);
        var s52 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 60), Left(ref bounds, ref offsets, ref codes, 59), l4);
        var s53 = Avx2.BlendVariable(Left(ref bounds, ref offsets, ref codes, 62), Left(ref bounds, ref offsets, ref codes, 61), l4);
        var s54 = Avx2.BlendVariable(s53, s52, l3);
        var s55 = Avx2.BlendVariable(s54, s51, l2);
        var s56 = Avx2.BlendVariable(s55, s48, l1);
        var l5 = Avx2.BlendVariable(s56, s41, l0);
        // a right turn (a clear "left" mask) at level d sets bit 5 − d
        var index = Avx2.Or(
            Avx2.Or(Avx2.AndNot(l0, Vector256.Create((sbyte)32)), Avx2.AndNot(l1, Vector256.Create((sbyte)16))),
            Avx2.Or(Avx2.AndNot(l2, Vector256.Create((sbyte)8)), Avx2.AndNot(l3, Vector256.Create((sbyte)4))));
        return Avx2.Or(index, Avx2.Or(Avx2.AndNot(l4, Vector256.Create((sbyte)2)), Avx2.AndNot(l5, Vector256<sbyte>.One)));
    }

    /// <summary>Whether each of 32 rows goes left at node <paramref name="node"/>: its bound (a signed byte, in every
    /// byte of the int) is above the rows' codes in the node's column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Left(ref int bounds, ref ushort offsets, ref byte codes, nint node)
    {
        var bound = Vector256.Create(Unsafe.Add(ref bounds, node)).AsSByte();
        var code = Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref codes, (nint)Unsafe.Add(ref offsets, node)));
        return Avx2.CompareGreaterThan(bound, code);
    }
}
