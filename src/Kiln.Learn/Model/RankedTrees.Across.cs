using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>One-row prediction 32 trees per AVX2 vector (numeric models with at most 64 code columns, i.e. 32
/// features): lane j of a group holds tree 32g + j. Each node slot's column and bound are stored for the group's 32
/// trees side by side, so a level picks every tree's node with the same blend tournament the batch kernel uses for
/// rows (masks: the trees' earlier outcomes), and the row's code for each tree's column comes from the row's 64 codes
/// by four byte shuffles and three blends. No dependent loads: the walk of 200 trees is seven such passes, and the
/// leaves are then added in tree order (the reference walk's sum, to the bit).</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Code columns the across-trees walk can look a row's code up in (four 16-byte shuffle tables).</summary>
    private const int AcrossColumns = 64;

    /// <summary>Nodes (63) per tree.</summary>
    private const int Nodes = Slots - 1;

    private AcrossLayout? _across;

    /// <summary>The numeric code column node slot <paramref name="slot"/> (tree × 64 + slot) reads: the block layout's
    /// offsets are byte offsets in a chunk, 32 bytes per column.</summary>
    private byte ColumnAt(int slot) => (byte)(_offsets[slot] / Lanes);

    /// <summary>The across-trees layout, or null for models with categorical splits or more than 32 features.</summary>
    private AcrossLayout? Across => _mixed is null && 2 * _features.Length <= AcrossColumns ? _across ??= AcrossLayout.Create(this) : null;

    /// <summary>Sums per output for a row already coded (<paramref name="codes"/>: per column its code, unsigned).</summary>
    private void SumAcross(AcrossLayout layout, ReadOnlySpan<byte> codes, Span<double> output)
    {
        Span<byte> table = stackalloc byte[AcrossColumns];
        for (var i = 0; i < codes.Length; i++)
        {
            table[i] = (byte)(codes[i] ^ 0x80);
        }
        // up to 16 groups (512 trees) per kernel call
        Span<byte> leaves = stackalloc byte[16 * Lanes];
        ref var values = ref MemoryMarshal.GetArrayDataReference(_leaves);
        var trees = _outputs.Length;
        var sum = 0.0;
        if (_outputCount > 1)
        {
            output[.._outputCount].Clear();
        }
        for (var g = 0; g < layout.Groups; g += 16)
        {
            var groups = Math.Min(16, layout.Groups - g);
            layout.Leaves(table, g, groups, leaves);
            var first = g * Lanes;
            var end = Math.Min(trees, first + (groups * Lanes));
            for (var t = first; t < end; t++)
            {
                var value = Unsafe.Add(ref values, (t * Slots) + leaves[t - first]);
                if (_outputCount == 1)
                {
                    // one running sum in a register, trees in order
                    sum += value;
                }
                else
                {
                    output[_outputs[t]] += value;
                }
            }
        }
        if (_outputCount == 1)
        {
            output[0] = sum;
        }
    }

    /// <summary>Per group of 32 trees, per node slot, the trees' columns and signed bounds.</summary>
    private sealed class AcrossLayout
    {
        private readonly byte[] _columns;
        private readonly byte[] _bounds;

        private AcrossLayout(byte[] columns, byte[] bounds, int groups)
        {
            _columns = columns;
            _bounds = bounds;
            Groups = groups;
        }

        public int Groups { get; }

        public static AcrossLayout Create(RankedTrees trees)
        {
            var count = trees._outputs.Length;
            var groups = (count + Lanes - 1) / Lanes;
            var columns = new byte[groups * Nodes * Lanes];
            // lanes past the last tree: always-left nodes on column 0 (never read)
            var bounds = new byte[groups * Nodes * Lanes];
            Array.Fill(bounds, (byte)(AlwaysLeft ^ 0x80));
            for (var t = 0; t < count; t++)
            {
                var at = ((t / Lanes) * Nodes * Lanes) + (t % Lanes);
                for (var s = 0; s < Nodes; s++)
                {
                    columns[at + (s * Lanes)] = trees.ColumnAt((t * Slots) + s);
                    // the block layout keeps bounds as the signed byte the compare uses, in all four bytes of an int
                    bounds[at + (s * Lanes)] = (byte)trees._bounds[(t * Slots) + s];
                }
            }
            return new AcrossLayout(columns, bounds, groups);
        }

        /// <summary>The leaf (0–63) of each tree of groups <paramref name="first"/> to first + <paramref name="count"/>
        /// − 1 for the row whose signed codes are <paramref name="table"/> (64 bytes).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Leaves(ReadOnlySpan<byte> table, int first, int count, Span<byte> leaves)
        {
            ref var row = ref MemoryMarshal.GetReference(table);
            var q0 = Vector128.LoadUnsafe(ref row);
            var t0 = Vector256.Create(q0, q0).AsSByte();
            var q1 = Vector128.LoadUnsafe(ref row, 16);
            var t1 = Vector256.Create(q1, q1).AsSByte();
            var q2 = Vector128.LoadUnsafe(ref row, 32);
            var t2 = Vector256.Create(q2, q2).AsSByte();
            var q3 = Vector128.LoadUnsafe(ref row, 48);
            var t3 = Vector256.Create(q3, q3).AsSByte();
            var one = Vector256<sbyte>.One;
            for (var g = first; g < first + count; g++)
            {
                ref var columns = ref _columns[g * Nodes * Lanes];
                ref var bounds = ref _bounds[g * Nodes * Lanes];
                var l0 = Avx2.CompareGreaterThan(Slot(ref bounds, 0), Lookup(Slot(ref columns, 0), t0, t1, t2, t3));
                var path = Avx2.Add(one, l0);
                var c1 = Avx2.BlendVariable(Slot(ref columns, 2), Slot(ref columns, 1), l0);
                var b2 = Avx2.BlendVariable(Slot(ref bounds, 2), Slot(ref bounds, 1), l0);
                var l1 = Avx2.CompareGreaterThan(b2, Lookup(c1, t0, t1, t2, t3));
                path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l1));
                var c3 = Avx2.BlendVariable(Slot(ref columns, 4), Slot(ref columns, 3), l1);
                var c4 = Avx2.BlendVariable(Slot(ref columns, 6), Slot(ref columns, 5), l1);
                var c5 = Avx2.BlendVariable(c4, c3, l0);
                var b6 = Avx2.BlendVariable(Slot(ref bounds, 4), Slot(ref bounds, 3), l1);
                var b7 = Avx2.BlendVariable(Slot(ref bounds, 6), Slot(ref bounds, 5), l1);
                var b8 = Avx2.BlendVariable(b7, b6, l0);
                var l2 = Avx2.CompareGreaterThan(b8, Lookup(c5, t0, t1, t2, t3));
                path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l2));
                var c9 = Avx2.BlendVariable(Slot(ref columns, 8), Slot(ref columns, 7), l2);
                var c10 = Avx2.BlendVariable(Slot(ref columns, 10), Slot(ref columns, 9), l2);
                var c11 = Avx2.BlendVariable(c10, c9, l1);
                var c12 = Avx2.BlendVariable(Slot(ref columns, 12), Slot(ref columns, 11), l2);
                var c13 = Avx2.BlendVariable(Slot(ref columns, 14), Slot(ref columns, 13), l2);
                var c14 = Avx2.BlendVariable(c13, c12, l1);
                var c15 = Avx2.BlendVariable(c14, c11, l0);
                var b16 = Avx2.BlendVariable(Slot(ref bounds, 8), Slot(ref bounds, 7), l2);
                var b17 = Avx2.BlendVariable(Slot(ref bounds, 10), Slot(ref bounds, 9), l2);
                var b18 = Avx2.BlendVariable(b17, b16, l1);
                var b19 = Avx2.BlendVariable(Slot(ref bounds, 12), Slot(ref bounds, 11), l2);
                var b20 = Avx2.BlendVariable(Slot(ref bounds, 14), Slot(ref bounds, 13), l2);
                var b21 = Avx2.BlendVariable(b20, b19, l1);
                var b22 = Avx2.BlendVariable(b21, b18, l0);
                var l3 = Avx2.CompareGreaterThan(b22, Lookup(c15, t0, t1, t2, t3));
                path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l3));
                var c23 = Avx2.BlendVariable(Slot(ref columns, 16), Slot(ref columns, 15), l3);
                var c24 = Avx2.BlendVariable(Slot(ref columns, 18), Slot(ref columns, 17), l3);
                var c25 = Avx2.BlendVariable(c24, c23, l2);
                var c26 = Avx2.BlendVariable(Slot(ref columns, 20), Slot(ref columns, 19), l3);
                var c27 = Avx2.BlendVariable(Slot(ref columns, 22), Slot(ref columns, 21), l3);
                var c28 = Avx2.BlendVariable(c27, c26, l2);
                var c29 = Avx2.BlendVariable(c28, c25, l1);
                var c30 = Avx2.BlendVariable(Slot(ref columns, 24), Slot(ref columns, 23), l3);
                var c31 = Avx2.BlendVariable(Slot(ref columns, 26), Slot(ref columns, 25), l3);
                var c32 = Avx2.BlendVariable(c31, c30, l2);
                var c33 = Avx2.BlendVariable(Slot(ref columns, 28), Slot(ref columns, 27), l3);
                var c34 = Avx2.BlendVariable(Slot(ref columns, 30), Slot(ref columns, 29), l3);
                var c35 = Avx2.BlendVariable(c34, c33, l2);
                var c36 = Avx2.BlendVariable(c35, c32, l1);
                var c37 = Avx2.BlendVariable(c36, c29, l0);
                var b38 = Avx2.BlendVariable(Slot(ref bounds, 16), Slot(ref bounds, 15), l3);
                var b39 = Avx2.BlendVariable(Slot(ref bounds, 18), Slot(ref bounds, 17), l3);
                var b40 = Avx2.BlendVariable(b39, b38, l2);
                var b41 = Avx2.BlendVariable(Slot(ref bounds, 20), Slot(ref bounds, 19), l3);
                var b42 = Avx2.BlendVariable(Slot(ref bounds, 22), Slot(ref bounds, 21), l3);
                var b43 = Avx2.BlendVariable(b42, b41, l2);
                var b44 = Avx2.BlendVariable(b43, b40, l1);
                var b45 = Avx2.BlendVariable(Slot(ref bounds, 24), Slot(ref bounds, 23), l3);
                var b46 = Avx2.BlendVariable(Slot(ref bounds, 26), Slot(ref bounds, 25), l3);
                var b47 = Avx2.BlendVariable(b46, b45, l2);
                var b48 = Avx2.BlendVariable(Slot(ref bounds, 28), Slot(ref bounds, 27), l3);
                var b49 = Avx2.BlendVariable(Slot(ref bounds, 30), Slot(ref bounds, 29), l3);
                var b50 = Avx2.BlendVariable(b49, b48, l2);
                var b51 = Avx2.BlendVariable(b50, b47, l1);
                var b52 = Avx2.BlendVariable(b51, b44, l0);
                var l4 = Avx2.CompareGreaterThan(b52, Lookup(c37, t0, t1, t2, t3));
                path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l4));
                var c53 = Avx2.BlendVariable(Slot(ref columns, 32), Slot(ref columns, 31), l4);
                var c54 = Avx2.BlendVariable(Slot(ref columns, 34), Slot(ref columns, 33), l4);
                var c55 = Avx2.BlendVariable(c54, c53, l3);
                var c56 = Avx2.BlendVariable(Slot(ref columns, 36), Slot(ref columns, 35), l4);
                var c57 = Avx2.BlendVariable(Slot(ref columns, 38), Slot(ref columns, 37), l4);
                var c58 = Avx2.BlendVariable(c57, c56, l3);
                var c59 = Avx2.BlendVariable(c58, c55, l2);
                var c60 = Avx2.BlendVariable(Slot(ref columns, 40), Slot(ref columns, 39), l4);
                var c61 = Avx2.BlendVariable(Slot(ref columns, 42), Slot(ref columns, 41), l4);
                var c62 = Avx2.BlendVariable(c61, c60, l3);
                var c63 = Avx2.BlendVariable(Slot(ref columns, 44), Slot(ref columns, 43), l4);
                var c64 = Avx2.BlendVariable(Slot(ref columns, 46), Slot(ref columns, 45), l4);
                var c65 = Avx2.BlendVariable(c64, c63, l3);
                var c66 = Avx2.BlendVariable(c65, c62, l2);
                var c67 = Avx2.BlendVariable(c66, c59, l1);
                var c68 = Avx2.BlendVariable(Slot(ref columns, 48), Slot(ref columns, 47), l4);
                var c69 = Avx2.BlendVariable(Slot(ref columns, 50), Slot(ref columns, 49), l4);
                var c70 = Avx2.BlendVariable(c69, c68, l3);
                var c71 = Avx2.BlendVariable(Slot(ref columns, 52), Slot(ref columns, 51), l4);
                var c72 = Avx2.BlendVariable(Slot(ref columns, 54), Slot(ref columns, 53), l4);
                var c73 = Avx2.BlendVariable(c72, c71, l3);
                var c74 = Avx2.BlendVariable(c73, c70, l2);
                var c75 = Avx2.BlendVariable(Slot(ref columns, 56), Slot(ref columns, 55), l4);
                var c76 = Avx2.BlendVariable(Slot(ref columns, 58), Slot(ref columns, 57), l4);
                var c77 = Avx2.BlendVariable(c76, c75, l3);
                var c78 = Avx2.BlendVariable(Slot(ref columns, 60), Slot(ref columns, 59), l4);
                var c79 = Avx2.BlendVariable(Slot(ref columns, 62), Slot(ref columns, 61), l4);
                var c80 = Avx2.BlendVariable(c79, c78, l3);
                var c81 = Avx2.BlendVariable(c80, c77, l2);
                var c82 = Avx2.BlendVariable(c81, c74, l1);
                var c83 = Avx2.BlendVariable(c82, c67, l0);
                var b84 = Avx2.BlendVariable(Slot(ref bounds, 32), Slot(ref bounds, 31), l4);
                var b85 = Avx2.BlendVariable(Slot(ref bounds, 34), Slot(ref bounds, 33), l4);
                var b86 = Avx2.BlendVariable(b85, b84, l3);
                var b87 = Avx2.BlendVariable(Slot(ref bounds, 36), Slot(ref bounds, 35), l4);
                var b88 = Avx2.BlendVariable(Slot(ref bounds, 38), Slot(ref bounds, 37), l4);
                var b89 = Avx2.BlendVariable(b88, b87, l3);
                var b90 = Avx2.BlendVariable(b89, b86, l2);
                var b91 = Avx2.BlendVariable(Slot(ref bounds, 40), Slot(ref bounds, 39), l4);
                var b92 = Avx2.BlendVariable(Slot(ref bounds, 42), Slot(ref bounds, 41), l4);
                var b93 = Avx2.BlendVariable(b92, b91, l3);
                var b94 = Avx2.BlendVariable(Slot(ref bounds, 44), Slot(ref bounds, 43), l4);
                var b95 = Avx2.BlendVariable(Slot(ref bounds, 46), Slot(ref bounds, 45), l4);
                var b96 = Avx2.BlendVariable(b95, b94, l3);
                var b97 = Avx2.BlendVariable(b96, b93, l2);
                var b98 = Avx2.BlendVariable(b97, b90, l1);
                var b99 = Avx2.BlendVariable(Slot(ref bounds, 48), Slot(ref bounds, 47), l4);
                var b100 = Avx2.BlendVariable(Slot(ref bounds, 50), Slot(ref bounds, 49), l4);
                var b101 = Avx2.BlendVariable(b100, b99, l3);
                var b102 = Avx2.BlendVariable(Slot(ref bounds, 52), Slot(ref bounds, 51), l4);
                var b103 = Avx2.BlendVariable(Slot(ref bounds, 54), Slot(ref bounds, 53), l4);
                var b104 = Avx2.BlendVariable(b103, b102, l3);
                var b105 = Avx2.BlendVariable(b104, b101, l2);
                var b106 = Avx2.BlendVariable(Slot(ref bounds, 56), Slot(ref bounds, 55), l4);
                var b107 = Avx2.BlendVariable(Slot(ref bounds, 58), Slot(ref bounds, 57), l4);
                var b108 = Avx2.BlendVariable(b107, b106, l3);
                var b109 = Avx2.BlendVariable(Slot(ref bounds, 60), Slot(ref bounds, 59), l4);
                var b110 = Avx2.BlendVariable(Slot(ref bounds, 62), Slot(ref bounds, 61), l4);
                var b111 = Avx2.BlendVariable(b110, b109, l3);
                var b112 = Avx2.BlendVariable(b111, b108, l2);
                var b113 = Avx2.BlendVariable(b112, b105, l1);
                var b114 = Avx2.BlendVariable(b113, b98, l0);
                var l5 = Avx2.CompareGreaterThan(b114, Lookup(c83, t0, t1, t2, t3));
                path = Avx2.Add(Avx2.Add(path, path), Avx2.Add(one, l5));
                Unsafe.WriteUnaligned(ref leaves[(g - first) * Lanes], path);
            }
        }

        /// <summary>Node slot <paramref name="slot"/>'s bytes for the group's 32 trees.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<sbyte> Slot(ref byte slots, nint slot) =>
            Unsafe.ReadUnaligned<Vector256<sbyte>>(ref Unsafe.Add(ref slots, slot * Lanes));

        /// <summary>Each lane's code from the row's 64 codes (four 16-byte tables, each in both halves) by its column:
        /// the low four bits pick within a table, bits 4 and 5 pick the table (a blend reads a byte's top bit, which
        /// a 16-bit shift left by 3 or 2 fills with bit 4 or 5 of that byte).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<sbyte> Lookup(Vector256<sbyte> column, Vector256<sbyte> t0, Vector256<sbyte> t1, Vector256<sbyte> t2, Vector256<sbyte> t3)
        {
            var bit4 = Avx2.ShiftLeftLogical(column.AsInt16(), 3).AsSByte();
            var bit5 = Avx2.ShiftLeftLogical(column.AsInt16(), 2).AsSByte();
            var low = Avx2.BlendVariable(Avx2.Shuffle(t0, column), Avx2.Shuffle(t1, column), bit4);
            var high = Avx2.BlendVariable(Avx2.Shuffle(t2, column), Avx2.Shuffle(t3, column), bit4);
            return Avx2.BlendVariable(low, high, bit5);
        }
    }
}
