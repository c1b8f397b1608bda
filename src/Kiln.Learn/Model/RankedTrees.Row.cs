using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Learn.Model;

/// <summary>One-row prediction on byte ranks. The row's values are coded once (as for a block); numeric models with
/// at most 32 features then walk 32 trees per vector (<see cref="SumAcross"/>). Other models walk the trees eight at a
/// time with two bytes per node — the code column (feature and missing direction) and the bound — so 200 depth-6
/// trees take 25 KB and the nodes stay in L1. Groups of eight trees are interleaved (slot s of the
/// group's tree j at 8s + j), so the eight chains share one base address. With categorical splits each node also
/// looks the row's category up in its set (numeric nodes in a set holding every category).</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Trees per interleaved group.</summary>
    private const int Group = 8;

    private RowLayout? _row;

    /// <summary>The interleaved one-row layout, or null when the code columns or categorical features do not fit in a
    /// byte (over 128 numeric or 254 categorical features).</summary>
    private RowLayout? Row => _row ??= RowLayout.Create(this);

    /// <summary>Whether <see cref="SumRow"/> can be used.</summary>
    public bool PredictsRows => _features.Length * 2 <= 256 && _categoryFeatures.Length < 255;

    /// <summary>Sums of leaf values per output for one row (before the base score and transform); allocates nothing.</summary>
    public void SumRow(ReadOnlySpan<double> row, Span<double> output)
    {
        Span<byte> codes = stackalloc byte[2 * _features.Length];
        for (var c = 0; c < _features.Length; c++)
        {
            var x = row[_features[c]];
            var rank = (byte)RankOf(c, x);
            codes[2 * c] = rank;
            codes[(2 * c) + 1] = double.IsNaN(x) ? (byte)255 : rank;
        }
        if (Across is { } across)
        {
            SumAcross(across, codes, output);
            return;
        }
        var layout = Row!;
        if (_mixed is null)
        {
            layout.Sum<NumericStep>(ref MemoryMarshal.GetReference(codes), ref Unsafe.NullRef<byte>(), _outputs, _outputCount, output);
            return;
        }
        // the row's categories, then the constant category numeric nodes read (0, in every set)
        Span<byte> categories = stackalloc byte[_categoryFeatures.Length + 1];
        for (var k = 0; k < _categoryFeatures.Length; k++)
        {
            categories[k] = (byte)Category(row[_categoryFeatures[k]]);
        }
        categories[^1] = 0;
        layout.Sum<MixedStep>(ref MemoryMarshal.GetReference(codes), ref MemoryMarshal.GetReference(categories), _outputs, _outputCount, output);
    }

    /// <summary>A category code as the reference walk reads it: 0–254, or 255 for missing, unknown or out of range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Category(double x) => double.IsNaN(x) || (uint)(int)x >= 255 ? 255 : (int)x;

    /// <summary>What a categorical test reads: per node (from a group's start) the row category it looks up and its
    /// set's offset, the sets, and the row's categories.</summary>
    private ref struct Lookup
    {
        public ref byte Categories;
        public ref int Sets;
        public ref byte SetBytes;
        public ref byte Row;
    }

    /// <summary>How a walk steps: a struct type argument, so each kind is compiled on its own.</summary>
    private interface IRowStep
    {
        /// <summary>The next node of chain <paramref name="j"/> from node <paramref name="h"/>, numbered from 1 as in a
        /// heap (slot h − 1, at 8(h − 1) + j from the group's start): 2h + 1 when the row goes right, else 2h.</summary>
        static abstract nint Next(nint h, nint j, ref byte columns, ref byte bounds, ref byte codes, scoped ref Lookup lookup);
    }

    /// <summary>Numeric splits only: right when the code reaches the bound.</summary>
    private readonly struct NumericStep : IRowStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static nint Next(nint h, nint j, ref byte columns, ref byte bounds, ref byte codes, scoped ref Lookup lookup)
        {
            var at = (Group * h) + j - Group;
            var right = Unsafe.Add(ref codes, Unsafe.Add(ref columns, at)) >= Unsafe.Add(ref bounds, at);
            return (2 * h) + Unsafe.As<bool, byte>(ref right);
        }
    }

    /// <summary>Numeric and categorical splits: right when the code reaches the bound or the category is not in the set.</summary>
    private readonly struct MixedStep : IRowStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static nint Next(nint h, nint j, ref byte columns, ref byte bounds, ref byte codes, scoped ref Lookup lookup)
        {
            var at = (Group * h) + j - Group;
            var numeric = Unsafe.Add(ref codes, Unsafe.Add(ref columns, at)) >= Unsafe.Add(ref bounds, at);
            nint c = Unsafe.Add(ref lookup.Row, Unsafe.Add(ref lookup.Categories, at));
            // byte c / 8 of the set, in the shuffle layout (the high 16 bytes start 32 bytes in)
            var setByte = Unsafe.Add(ref lookup.SetBytes, Unsafe.Add(ref lookup.Sets, at) + (c >> 3) + ((c >> 3) & 16));
            var right = Unsafe.As<bool, byte>(ref numeric) | (((setByte >> (int)(c & 7)) & 1) ^ 1);
            return (2 * h) + right;
        }
    }

    /// <summary>Nodes and leaves of groups of eight trees, slot-major within a group.</summary>
    private sealed class RowLayout
    {
        private const int NodesPerGroup = Slots * Group;

        private readonly byte[] _columns;
        private readonly byte[] _bounds;
        private readonly byte[] _categories;
        private readonly int[] _sets;
        private readonly byte[] _setBytes;
        private readonly double[] _leaves;

        private RowLayout(byte[] columns, byte[] bounds, byte[] categories, int[] sets, byte[] setBytes, double[] leaves)
        {
            _columns = columns;
            _bounds = bounds;
            _categories = categories;
            _sets = sets;
            _setBytes = setBytes;
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
            var mixed = trees._mixed;
            var categories = new byte[mixed is null ? 0 : groups * NodesPerGroup];
            var sets = new int[mixed is null ? 0 : groups * NodesPerGroup];
            var leaves = new double[groups * NodesPerGroup];
            var categoryBase = 2 * trees._features.Length * Lanes;
            for (var t = 0; t < count; t++)
            {
                var at = ((t / Group) * NodesPerGroup) + (t % Group);
                for (var s = 0; s < Slots; s++)
                {
                    var to = at + (Group * s);
                    var from = (t * Slots) + s;
                    columns[to] = trees.ColumnAt(from);
                    bounds[to] = (byte)(trees._bounds[from] ^ 0x80);
                    leaves[to] = trees._leaves[from];
                    if (mixed is not null)
                    {
                        categories[to] = (byte)((mixed[from].CategoryOffset - categoryBase) / (3 * Lanes));
                        sets[to] = mixed[from].SetAt;
                    }
                }
            }
            return new RowLayout(columns, bounds, categories, sets, trees._sets, leaves);
        }

        /// <summary>The sums per output of every tree's leaf for the coded row.</summary>
        public void Sum<TStep>(ref byte codes, ref byte categories, int[] outputs, int outputCount, Span<double> output)
            where TStep : struct, IRowStep
        {
            var trees = outputs.Length;
            var full = trees / Group * Group;
            if (outputCount == 1)
            {
                // one running sum in a register: adding to output[0] in memory would chain every add through a store
                var sum = 0.0;
                for (var t = 0; t < full; t += Group)
                {
                    ref var leaves = ref Descend<TStep>(t, ref codes, ref categories, out var p0, out var p1, out var p2, out var p3,
                        out var p4, out var p5, out var p6, out var p7);
                    sum = sum + Unsafe.Add(ref leaves, p0) + Unsafe.Add(ref leaves, p1 + 1) + Unsafe.Add(ref leaves, p2 + 2)
                        + Unsafe.Add(ref leaves, p3 + 3) + Unsafe.Add(ref leaves, p4 + 4) + Unsafe.Add(ref leaves, p5 + 5)
                        + Unsafe.Add(ref leaves, p6 + 6) + Unsafe.Add(ref leaves, p7 + 7);
                }
                for (var t = full; t < trees; t++)
                {
                    sum += Walk1<TStep>(t, ref codes, ref categories);
                }
                output[0] = sum;
                return;
            }
            output[..outputCount].Clear();
            for (var t = 0; t < full; t += Group)
            {
                ref var leaves = ref Descend<TStep>(t, ref codes, ref categories, out var p0, out var p1, out var p2, out var p3,
                    out var p4, out var p5, out var p6, out var p7);
                TreeGroups.AddLeaves(ref leaves, p0, p1, p2, p3, p4, p5, p6, p7, ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(outputs), t),
                    output);
            }
            for (var t = full; t < trees; t++)
            {
                output[outputs[t]] += Walk1<TStep>(t, ref codes, ref categories);
            }
        }

        /// <summary>Walks the group of tree <paramref name="t"/> down six levels, eight chains at once; returns the group's
        /// leaves, tree j's at [p_j + j].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref double Descend<TStep>(int t, ref byte codes, ref byte categories, out nint p0, out nint p1, out nint p2, out nint p3,
            out nint p4, out nint p5, out nint p6, out nint p7)
            where TStep : struct, IRowStep
        {
            var at = t / Group * NodesPerGroup;
            ref var columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), at);
            ref var bounds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bounds), at);
            var lookup = LookupAt(at, ref categories);
            p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 1;
            for (var d = 0; d < Depth; d++)
            {
                p0 = TStep.Next(p0, 0, ref columns, ref bounds, ref codes, ref lookup);
                p1 = TStep.Next(p1, 1, ref columns, ref bounds, ref codes, ref lookup);
                p2 = TStep.Next(p2, 2, ref columns, ref bounds, ref codes, ref lookup);
                p3 = TStep.Next(p3, 3, ref columns, ref bounds, ref codes, ref lookup);
                p4 = TStep.Next(p4, 4, ref columns, ref bounds, ref codes, ref lookup);
                p5 = TStep.Next(p5, 5, ref columns, ref bounds, ref codes, ref lookup);
                p6 = TStep.Next(p6, 6, ref columns, ref bounds, ref codes, ref lookup);
                p7 = TStep.Next(p7, 7, ref columns, ref bounds, ref codes, ref lookup);
            }
            // node 64 + i is leaf i, at 8i + j from the group's start: p becomes that offset less j
            p0 = LeafAt(p0);
            p1 = LeafAt(p1);
            p2 = LeafAt(p2);
            p3 = LeafAt(p3);
            p4 = LeafAt(p4);
            p5 = LeafAt(p5);
            p6 = LeafAt(p6);
            p7 = LeafAt(p7);
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leaves), at);
        }

        /// <summary>The leaf value tree <paramref name="t"/> gives the coded row.</summary>
        private double Walk1<TStep>(int t, ref byte codes, ref byte categories)
            where TStep : struct, IRowStep
        {
            var at = t / Group * NodesPerGroup;
            ref var columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), at);
            ref var bounds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bounds), at);
            var lookup = LookupAt(at, ref categories);
            nint j = t % Group;
            nint p = 1;
            for (var d = 0; d < Depth; d++)
            {
                p = TStep.Next(p, j, ref columns, ref bounds, ref codes, ref lookup);
            }
            return _leaves[at + LeafAt(p) + j];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static nint LeafAt(nint h) => Group * (h - Slots);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Lookup LookupAt(int at, ref byte row)
        {
            var lookup = new Lookup { SetBytes = ref MemoryMarshal.GetArrayDataReference(_setBytes), Row = ref row };
            if (_categories.Length > 0)
            {
                lookup.Categories = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_categories), at);
                lookup.Sets = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sets), at);
            }
            return lookup;
        }
    }
}
