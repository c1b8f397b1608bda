using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Learn.Model;

/// <summary>One-row prediction on byte ranks. The row's values are coded once (as for a block), then the trees are
/// walked eight at a time with two bytes per node — the code column (feature and missing direction) and the bound —
/// so 200 depth-6 trees take 25 KB and the walk finds its nodes in L1, where doubles and feature indices (150 KB) wait
/// on L2 at every level. Groups of eight trees are interleaved (slot s of the group's tree j at 8s + j), so the eight
/// chains share one base address.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Trees per interleaved group.</summary>
    private const int Group = 8;

    private RowLayout? _row;

    /// <summary>The interleaved one-row layout, or null when the model has categorical splits or the code columns do not
    /// fit in a byte (over 128 features).</summary>
    private RowLayout? Row => _row ??= RowLayout.Create(this);

    /// <summary>Whether <see cref="SumRow"/> can be used.</summary>
    public bool PredictsRows => _mixed is null && _features.Length * 2 <= 256;

    /// <summary>Sums of leaf values per output for one row (before the base score and transform); allocates nothing.</summary>
    public void SumRow(ReadOnlySpan<double> row, Span<double> output)
    {
        var layout = Row!;
        Span<byte> codes = stackalloc byte[2 * _features.Length];
        ref var cuts = ref MemoryMarshal.GetArrayDataReference(_cuts);
        for (var c = 0; c < _features.Length; c++)
        {
            var x = row[_features[c]];
            var rank = (byte)Rank(ref Unsafe.Add(ref cuts, c * CutSlots), PivotsOf(c), x);
            codes[2 * c] = rank;
            codes[(2 * c) + 1] = double.IsNaN(x) ? (byte)255 : rank;
        }
        ref var code = ref MemoryMarshal.GetReference(codes);
        var trees = _outputs.Length;
        var full = trees / Group * Group;
        if (_outputCount == 1)
        {
            // one running sum in a register: adding to output[0] in memory would chain every add through a store
            var sum = 0.0;
            for (var t = 0; t < full; t += Group)
            {
                sum = layout.Walk8(t, ref code, sum);
            }
            for (var t = full; t < trees; t++)
            {
                sum += layout.Walk1(t, ref code);
            }
            output[0] = sum;
            return;
        }
        output[.._outputCount].Clear();
        for (var t = 0; t < full; t += Group)
        {
            layout.Walk8(t, ref code, _outputs, output);
        }
        for (var t = full; t < trees; t++)
        {
            output[_outputs[t]] += layout.Walk1(t, ref code);
        }
    }

    /// <summary>Nodes and leaves of groups of eight trees, slot-major within a group.</summary>
    private sealed class RowLayout
    {
        private const int NodesPerGroup = Slots * Group;

        private readonly byte[] _columns;
        private readonly byte[] _bounds;
        private readonly double[] _leaves;

        private RowLayout(byte[] columns, byte[] bounds, double[] leaves)
        {
            _columns = columns;
            _bounds = bounds;
            _leaves = leaves;
        }

        public static RowLayout? Create(RankedTrees trees)
        {
            if (!trees.PredictsRows)
            {
                return null;
            }
            var count = trees._outputs.Length;
            var groups = (count + Group - 1) / Group;
            var columns = new byte[groups * NodesPerGroup];
            var bounds = new byte[groups * NodesPerGroup];
            var leaves = new double[groups * NodesPerGroup];
            for (var t = 0; t < count; t++)
            {
                var at = ((t / Group) * NodesPerGroup) + (t % Group);
                for (var s = 0; s < Slots; s++)
                {
                    // the block layout's offset is the column's byte offset in a chunk: column = offset / 32
                    columns[at + (Group * s)] = (byte)(trees._offsets[(t * Slots) + s] / Lanes);
                    bounds[at + (Group * s)] = (byte)(trees._bounds[(t * Slots) + s] ^ 0x80);
                    leaves[at + (Group * s)] = trees._leaves[(t * Slots) + s];
                }
            }
            return new RowLayout(columns, bounds, leaves);
        }

        /// <summary><paramref name="sum"/> plus the leaf values of trees t … t + 7 (one group), added in tree order.</summary>
        public double Walk8(int t, ref byte codes, double sum)
        {
            ref var leaves = ref Descend(t, ref codes, out var p0, out var p1, out var p2, out var p3, out var p4, out var p5, out var p6, out var p7);
            return sum + Unsafe.Add(ref leaves, p0) + Unsafe.Add(ref leaves, p1 + 1) + Unsafe.Add(ref leaves, p2 + 2)
                + Unsafe.Add(ref leaves, p3 + 3) + Unsafe.Add(ref leaves, p4 + 4) + Unsafe.Add(ref leaves, p5 + 5)
                + Unsafe.Add(ref leaves, p6 + 6) + Unsafe.Add(ref leaves, p7 + 7);
        }

        /// <summary>Adds the leaf values of trees t … t + 7 (one group) to their outputs, in tree order.</summary>
        public void Walk8(int t, ref byte codes, int[] outputs, Span<double> output)
        {
            ref var leaves = ref Descend(t, ref codes, out var p0, out var p1, out var p2, out var p3, out var p4, out var p5, out var p6, out var p7);
            TreeGroups.AddLeaves(ref leaves, p0, p1, p2, p3, p4, p5, p6, p7, ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(outputs), t), output);
        }

        /// <summary>Walks the group of tree <paramref name="t"/> down six levels, eight chains at once: p_j ends at 8 · slot
        /// (slot 63 + leaf) of tree j; returns where the group's leaves are found (tree j's at [p_j + j]).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref double Descend(int t, ref byte codes, out nint p0, out nint p1, out nint p2, out nint p3, out nint p4, out nint p5,
            out nint p6, out nint p7)
        {
            var at = t / Group * NodesPerGroup;
            ref var columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), at);
            ref var bounds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bounds), at);
            p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0;
            for (var d = 0; d < Depth; d++)
            {
                p0 = Step(p0, ref columns, ref bounds, ref codes, 0);
                p1 = Step(p1, ref columns, ref bounds, ref codes, 1);
                p2 = Step(p2, ref columns, ref bounds, ref codes, 2);
                p3 = Step(p3, ref columns, ref bounds, ref codes, 3);
                p4 = Step(p4, ref columns, ref bounds, ref codes, 4);
                p5 = Step(p5, ref columns, ref bounds, ref codes, 5);
                p6 = Step(p6, ref columns, ref bounds, ref codes, 6);
                p7 = Step(p7, ref columns, ref bounds, ref codes, 7);
            }
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leaves), at - (Group * (Slots - 1)));
        }

        /// <summary>The leaf value tree <paramref name="t"/> gives the coded row.</summary>
        public double Walk1(int t, ref byte codes)
        {
            var at = t / Group * NodesPerGroup;
            ref var columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), at);
            ref var bounds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bounds), at);
            nint j = t % Group;
            nint p = 0;
            for (var d = 0; d < Depth; d++)
            {
                p = Step(p, ref columns, ref bounds, ref codes, j);
            }
            return _leaves[at - (Group * (Slots - 1)) + p + j];
        }

        /// <summary>The next position (8 · slot): right (slot 2s + 2) when the code reaches the bound, else left (2s + 1).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static nint Step(nint p, ref byte columns, ref byte bounds, ref byte codes, nint j)
        {
            var right = Unsafe.Add(ref codes, Unsafe.Add(ref columns, p + j)) >= Unsafe.Add(ref bounds, p + j);
            return (2 * p) + Group + ((nint)Unsafe.As<bool, byte>(ref right) << 3);
        }
    }
}
