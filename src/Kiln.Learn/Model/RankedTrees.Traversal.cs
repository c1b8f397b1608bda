using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>The AVX2 traversal of <see cref="RankedTrees"/>: one tree over 32 rows at once.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Bytes of bound tables per tree: level 0's bound in every byte; levels 1–4 a 16-entry table (the
    /// level's bounds, by position in the level) in both 128-bit halves; level 5 two such tables (positions 0–15,
    /// 16–31).</summary>
    private const int TableBytes = 7 * Lanes;

    /// <summary>One tree's leaf for each row of a block of <paramref name="chunks"/> chunks of 32 rows (their codes
    /// <paramref name="chunkBytes"/> apart), written to <paramref name="leaves"/>. Level by level, every node's codes are loaded and
    /// each row's node's codes picked out by the path so far — a tournament of blends whose masks are the earlier
    /// levels' outcomes (level 0's outcome decides between the halves of a level, level 1's between their halves, and
    /// so on) — while the row's bound comes from the level's table by its position in the level (one byte shuffle);
    /// one signed compare then gives the level's outcome ("bound &gt; code" is "goes left"). Per tree and 32 rows: 63
    /// loads and 57 blends, six compares, no gathers. The position after six levels is the leaf.</summary>
    /// <remarks>The body is the unrolled tournament for six levels (written out by a small script; the pattern is
    /// regular: level d blends the codes of nodes 2^d − 1 … 2^(d+1) − 2 pairwise by the outcome of level d − 1 (l(d−1)),
    /// then those by l(d−2), …, then by l0).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LeafIndices(ref byte tables, ref ushort offsets, ref byte block, nint chunkBytes, nint chunks, ref byte leaves)
    {
        var one = Vector256<sbyte>.One;
        for (nint chunk = 0; chunk < chunks; chunk++)
        {
            ref var codes = ref Unsafe.Add(ref block, chunk * chunkBytes);
            var l0 = Avx2.CompareGreaterThan(Table(ref tables, 0), Code(ref offsets, ref codes, 0));
            var path = Avx2.Add(one, l0);
            var s1 = Siblings(ref offsets, ref codes, 1, l0);
            var l1 = Avx2.CompareGreaterThan(Avx2.Shuffle(Table(ref tables, 1), path), s1);
            path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l1));
            var s2 = Siblings(ref offsets, ref codes, 3, l1);
            var s3 = Siblings(ref offsets, ref codes, 5, l1);
            var s4 = Avx2.BlendVariable(s3, s2, l0);
            var l2 = Avx2.CompareGreaterThan(Avx2.Shuffle(Table(ref tables, 2), path), s4);
            path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l2));
            var s5 = Siblings(ref offsets, ref codes, 7, l2);
            var s6 = Siblings(ref offsets, ref codes, 9, l2);
            var s7 = Avx2.BlendVariable(s6, s5, l1);
            var s8 = Siblings(ref offsets, ref codes, 11, l2);
            var s9 = Siblings(ref offsets, ref codes, 13, l2);
            var s10 = Avx2.BlendVariable(s9, s8, l1);
            var s11 = Avx2.BlendVariable(s10, s7, l0);
            var l3 = Avx2.CompareGreaterThan(Avx2.Shuffle(Table(ref tables, 3), path), s11);
            path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l3));
            var s12 = Siblings(ref offsets, ref codes, 15, l3);
            var s13 = Siblings(ref offsets, ref codes, 17, l3);
            var s14 = Avx2.BlendVariable(s13, s12, l2);
            var s15 = Siblings(ref offsets, ref codes, 19, l3);
            var s16 = Siblings(ref offsets, ref codes, 21, l3);
            var s17 = Avx2.BlendVariable(s16, s15, l2);
            var s18 = Avx2.BlendVariable(s17, s14, l1);
            var s19 = Siblings(ref offsets, ref codes, 23, l3);
            var s20 = Siblings(ref offsets, ref codes, 25, l3);
            var s21 = Avx2.BlendVariable(s20, s19, l2);
            var s22 = Siblings(ref offsets, ref codes, 27, l3);
            var s23 = Siblings(ref offsets, ref codes, 29, l3);
            var s24 = Avx2.BlendVariable(s23, s22, l2);
            var s25 = Avx2.BlendVariable(s24, s21, l1);
            var s26 = Avx2.BlendVariable(s25, s18, l0);
            var l4 = Avx2.CompareGreaterThan(Avx2.Shuffle(Table(ref tables, 4), path), s26);
            path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l4));
            var s27 = Siblings(ref offsets, ref codes, 31, l4);
            var s28 = Siblings(ref offsets, ref codes, 33, l4);
            var s29 = Avx2.BlendVariable(s28, s27, l3);
            var s30 = Siblings(ref offsets, ref codes, 35, l4);
            var s31 = Siblings(ref offsets, ref codes, 37, l4);
            var s32 = Avx2.BlendVariable(s31, s30, l3);
            var s33 = Avx2.BlendVariable(s32, s29, l2);
            var s34 = Siblings(ref offsets, ref codes, 39, l4);
            var s35 = Siblings(ref offsets, ref codes, 41, l4);
            var s36 = Avx2.BlendVariable(s35, s34, l3);
            var s37 = Siblings(ref offsets, ref codes, 43, l4);
            var s38 = Siblings(ref offsets, ref codes, 45, l4);
            var s39 = Avx2.BlendVariable(s38, s37, l3);
            var s40 = Avx2.BlendVariable(s39, s36, l2);
            var s41 = Avx2.BlendVariable(s40, s33, l1);
            var s42 = Siblings(ref offsets, ref codes, 47, l4);
            var s43 = Siblings(ref offsets, ref codes, 49, l4);
            var s44 = Avx2.BlendVariable(s43, s42, l3);
            var s45 = Siblings(ref offsets, ref codes, 51, l4);
            var s46 = Siblings(ref offsets, ref codes, 53, l4);
            var s47 = Avx2.BlendVariable(s46, s45, l3);
            var s48 = Avx2.BlendVariable(s47, s44, l2);
            var s49 = Siblings(ref offsets, ref codes, 55, l4);
            var s50 = Siblings(ref offsets, ref codes, 57, l4);
            var s51 = Avx2.BlendVariable(s50, s49, l3);
            var s52 = Siblings(ref offsets, ref codes, 59, l4);
            var s53 = Siblings(ref offsets, ref codes, 61, l4);
            var s54 = Avx2.BlendVariable(s53, s52, l3);
            var s55 = Avx2.BlendVariable(s54, s51, l2);
            var s56 = Avx2.BlendVariable(s55, s48, l1);
            var s57 = Avx2.BlendVariable(s56, s41, l0);
            var bound5 = Avx2.BlendVariable(Avx2.Shuffle(Table(ref tables, 6), path), Avx2.Shuffle(Table(ref tables, 5), path), l0);
            var l5 = Avx2.CompareGreaterThan(bound5, s57);
            path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l5));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref leaves, chunk * Lanes), path);
        }
    }

    /// <summary>The codes of the column node <paramref name="node"/> reads, for 32 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Code(ref ushort offsets, ref byte codes, nint node) =>
        Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref codes, (nint)Unsafe.Add(ref offsets, node)));

    /// <summary>The codes of sibling nodes <paramref name="node"/> (left) and node + 1 (right) for 32 rows, picked by
    /// <paramref name="left"/>: one load fetches both column offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Siblings(ref ushort offsets, ref byte codes, nint node, Vector256<sbyte> left)
    {
        var pair = Unsafe.ReadUnaligned<uint>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref offsets, node)));
        return Avx2.BlendVariable(Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref codes, (nint)(pair >> 16))),
            Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref codes, (nint)(ushort)pair)), left);
    }

    /// <summary>Bound table <paramref name="table"/> of a tree (see <see cref="TableBytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Table(ref byte tables, nint table) =>
        Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref tables, table * Lanes));
}
