using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>The AVX2 traversal of <see cref="RankedTrees"/> for models with categorical splits.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>A node of a model with categorical splits: the numeric test (bound and code column, as in the numeric
    /// layout) and the categorical one (the column triple of its feature and its set of left-going categories). A
    /// numeric node's set holds every category; a categorical node's bound sends every code left, so one test alone
    /// decides.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MixedNode
    {
        public int Bound;
        public ushort Offset;
        public ushort CategoryOffset;
        public int SetAt;
    }

    /// <summary>As <see cref="LeafIndices"/>, with every node's test "numeric test goes left, and the category is in
    /// the node's set": 63 node tests and 57 blends per tree for 32 rows (the tournament on the tests' masks).</summary>
    /// <remarks>The body is the unrolled tournament for six levels (written out by a small script: level d blends the
    /// tests of nodes 2^d − 1 … 2^(d+1) − 2 pairwise by the outcome of level d − 1 (l(d−1)), then by l(d−2), …, then by
    /// l0).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<sbyte> LeafIndicesMixed(ref MixedNode nodes, ref byte sets, ref byte codes)
    {
        var l0 = Left(ref nodes, ref sets, ref codes, 0);
        var l1 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 2), Left(ref nodes, ref sets, ref codes, 1), l0);
        var s2 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 4), Left(ref nodes, ref sets, ref codes, 3), l1);
        var s3 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 6), Left(ref nodes, ref sets, ref codes, 5), l1);
        var l2 = Avx2.BlendVariable(s3, s2, l0);
        var s5 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 8), Left(ref nodes, ref sets, ref codes, 7), l2);
        var s6 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 10), Left(ref nodes, ref sets, ref codes, 9), l2);
        var s7 = Avx2.BlendVariable(s6, s5, l1);
        var s8 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 12), Left(ref nodes, ref sets, ref codes, 11), l2);
        var s9 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 14), Left(ref nodes, ref sets, ref codes, 13), l2);
        var s10 = Avx2.BlendVariable(s9, s8, l1);
        var l3 = Avx2.BlendVariable(s10, s7, l0);
        var s12 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 16), Left(ref nodes, ref sets, ref codes, 15), l3);
        var s13 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 18), Left(ref nodes, ref sets, ref codes, 17), l3);
        var s14 = Avx2.BlendVariable(s13, s12, l2);
        var s15 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 20), Left(ref nodes, ref sets, ref codes, 19), l3);
        var s16 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 22), Left(ref nodes, ref sets, ref codes, 21), l3);
        var s17 = Avx2.BlendVariable(s16, s15, l2);
        var s18 = Avx2.BlendVariable(s17, s14, l1);
        var s19 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 24), Left(ref nodes, ref sets, ref codes, 23), l3);
        var s20 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 26), Left(ref nodes, ref sets, ref codes, 25), l3);
        var s21 = Avx2.BlendVariable(s20, s19, l2);
        var s22 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 28), Left(ref nodes, ref sets, ref codes, 27), l3);
        var s23 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 30), Left(ref nodes, ref sets, ref codes, 29), l3);
        var s24 = Avx2.BlendVariable(s23, s22, l2);
        var s25 = Avx2.BlendVariable(s24, s21, l1);
        var l4 = Avx2.BlendVariable(s25, s18, l0);
        var s27 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 32), Left(ref nodes, ref sets, ref codes, 31), l4);
        var s28 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 34), Left(ref nodes, ref sets, ref codes, 33), l4);
        var s29 = Avx2.BlendVariable(s28, s27, l3);
        var s30 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 36), Left(ref nodes, ref sets, ref codes, 35), l4);
        var s31 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 38), Left(ref nodes, ref sets, ref codes, 37), l4);
        var s32 = Avx2.BlendVariable(s31, s30, l3);
        var s33 = Avx2.BlendVariable(s32, s29, l2);
        var s34 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 40), Left(ref nodes, ref sets, ref codes, 39), l4);
        var s35 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 42), Left(ref nodes, ref sets, ref codes, 41), l4);
        var s36 = Avx2.BlendVariable(s35, s34, l3);
        var s37 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 44), Left(ref nodes, ref sets, ref codes, 43), l4);
        var s38 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 46), Left(ref nodes, ref sets, ref codes, 45), l4);
        var s39 = Avx2.BlendVariable(s38, s37, l3);
        var s40 = Avx2.BlendVariable(s39, s36, l2);
        var s41 = Avx2.BlendVariable(s40, s33, l1);
        var s42 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 48), Left(ref nodes, ref sets, ref codes, 47), l4);
        var s43 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 50), Left(ref nodes, ref sets, ref codes, 49), l4);
        var s44 = Avx2.BlendVariable(s43, s42, l3);
        var s45 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 52), Left(ref nodes, ref sets, ref codes, 51), l4);
        var s46 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 54), Left(ref nodes, ref sets, ref codes, 53), l4);
        var s47 = Avx2.BlendVariable(s46, s45, l3);
        var s48 = Avx2.BlendVariable(s47, s44, l2);
        var s49 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 56), Left(ref nodes, ref sets, ref codes, 55), l4);
        var s50 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 58), Left(ref nodes, ref sets, ref codes, 57), l4);
        var s51 = Avx2.BlendVariable(s50, s49, l3);
        var s52 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 60), Left(ref nodes, ref sets, ref codes, 59), l4);
        var s53 = Avx2.BlendVariable(Left(ref nodes, ref sets, ref codes, 62), Left(ref nodes, ref sets, ref codes, 61), l4);
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

    /// <summary>Whether each of 32 rows goes left at node <paramref name="node"/>. The category test looks up the row's
    /// category c in the node's 256-bit set: byte c / 8 by a byte shuffle of the set's low or high 16 bytes (the
    /// shuffle reads within 16 bytes), then bit c mod 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Left(ref MixedNode nodes, ref byte sets, ref byte codes, nint node)
    {
        ref var n = ref Unsafe.Add(ref nodes, node);
        var numeric = Avx2.CompareGreaterThan(Vector256.Create(n.Bound).AsSByte(),
            Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref codes, (nint)n.Offset)));
        ref var category = ref Unsafe.Add(ref codes, (nint)n.CategoryOffset);
        ref var set = ref Unsafe.Add(ref sets, (nint)n.SetAt);
        var position = Unsafe.ReadUnaligned<Vector256<sbyte>>(ref category);
        var high = Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref category, Lanes));
        var bit = Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref category, 2 * Lanes));
        var setByte = Avx2.BlendVariable(Avx2.Shuffle(Unsafe.ReadUnaligned<Vector256<sbyte>>(ref set), position),
            Avx2.Shuffle(Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref set, Lanes)), position), high);
        var outside = Avx2.CompareEqual(Avx2.And(setByte, bit), Vector256<sbyte>.Zero);
        return Avx2.AndNot(outside, numeric);
    }
}
