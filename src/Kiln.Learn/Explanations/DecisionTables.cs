using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Explanations;

/// <summary>
/// TreeSHAP for shallow trees (at most 64 splits, records at most <see cref="MaxRecordDepth"/> splits deep) indexed by the
/// row's decisions rather than by patterns: a row's way at every split of a tree is one 64-bit mask (one branch-free
/// comparison per split), and each record — a pair of sibling leaves, or a leaf whose sibling is a subtree — keeps its
/// SHAP values for every combination of the decisions on its path, so a record's values are found by extracting its
/// ancestors' bits from the mask (BMI2 <c>pext</c>). The values come from <see cref="LeafShapley"/>, mapped from each
/// combination to the pattern it implies. Deeper trees are left to <see cref="ShapTables"/>.
/// </summary>
internal sealed class DecisionTables
{
    /// <summary>The most splits above a record (its table has 2^depth rows).</summary>
    public const int MaxRecordDepth = 8;

    /// <summary>The most table values kept for a model (128 MB of floats).</summary>
    private const long Budget = 1L << 25;

    private readonly TreeEnsemble _ensemble;
    private readonly int[] _treeSplit;
    private readonly int[] _treeSplits;
    private readonly int[] _treeRecord;
    private readonly int[] _treeRecords;
    private readonly int[] _splitFeature;
    private readonly double[] _splitThreshold;
    private readonly ulong[] _defaultLeft;
    private readonly CategoricalSplit[] _categorical;

    /// <summary>Per tree, the bits of its categorical splits.</summary>
    private readonly ulong[] _categoricalMask;

    /// <summary>A categorical split: the feature, where its left categories' bits start in the ensemble's
    /// <see cref="TreeEnsemble.CategoryBits"/>, its preorder number, and 1 when a missing or unknown code goes left.</summary>
    private readonly record struct CategoricalSplit(int Feature, int Bits, int Split, ulong DefaultLeft);
    private readonly int[] _treeCategorical;
    private readonly Record[] _records;
    private readonly int[] _features;
    private readonly float[] _table;

    /// <summary>Per record, for each of the first <see cref="DenseWidth"/> features, the record's slot holding it (8: none),
    /// a byte each: the permutation that spreads a table row over the features (<see cref="AddDense"/>).</summary>
    private readonly byte[] _dense;

    /// <summary>Whether a tree's records all have 8 slots and the model at most <see cref="DenseWidth"/> features.</summary>
    private readonly bool[] _treeDense;

    private struct Record
    {
        public ulong Ancestors;
        public int Table;
        /// <summary>Values per combination: the record's features padded to a multiple of 8.</summary>
        public int Slots;
        public int Features;
    }

    /// <param name="ensemble">The trees.</param>
    /// <param name="covers">Their covers.</param>
    /// <param name="features">The model's feature count: a record's unused lanes add 0 at this index (the bias slot, set
    /// after), so every record adds whole lanes of 8.</param>
    public DecisionTables(TreeEnsemble ensemble, TreeCovers covers, int features)
    {
        _ensemble = ensemble;
        var trees = ensemble.TreeCount;
        (_treeSplit, _treeSplits, _treeRecord, _treeRecords, _treeCategorical) = (new int[trees], new int[trees], new int[trees], new int[trees], new int[trees + 1]);
        var builder = new Builder(ensemble, covers, features);
        for (var t = 0; t < trees; t++)
        {
            _treeSplit[t] = builder.Splits.Count;
            _treeRecord[t] = builder.Records.Count;
            _treeCategorical[t] = builder.Categorical.Count;
            if (ensemble.Roots[t] >= 0 && builder.Fits(ensemble.Roots[t]) && builder.Table.Count + builder.Size(ensemble.Roots[t], 0) <= Budget)
            {
                builder.AddTree(ensemble.Roots[t], ensemble.Scale);
                _treeSplits[t] = builder.Splits.Count - _treeSplit[t];
                _treeRecords[t] = builder.Records.Count - _treeRecord[t];
            }
            else
            {
                _treeRecords[t] = ensemble.Roots[t] < 0 ? 0 : -1; // a single leaf: bias only; else not here
            }
        }
        _treeCategorical[trees] = builder.Categorical.Count;
        // each tree's splits padded to a multiple of 4 (four compared at a time): feature 0, threshold NaN (never "below")
        var splitFeatures = new List<int>();
        var thresholds = new List<double>();
        _defaultLeft = new ulong[trees];
        for (var t = 0; t < trees; t++)
        {
            var from = _treeSplit[t];
            _treeSplit[t] = splitFeatures.Count;
            for (var i = 0; i < _treeSplits[t]; i++)
            {
                var node = ensemble.Nodes[builder.Splits[from + i]];
                splitFeatures.Add(node.Feature);
                thresholds.Add((node.Info & FlatNode.CategoricalFlag) != 0 ? double.NaN : node.Threshold);
                if ((node.Info & FlatNode.DefaultLeftFlag) != 0)
                {
                    _defaultLeft[t] |= 1UL << i;
                }
            }
            while (splitFeatures.Count % 4 != 0)
            {
                splitFeatures.Add(0);
                thresholds.Add(double.NaN);
            }
        }
        _splitFeature = [.. splitFeatures];
        _splitThreshold = [.. thresholds];
        _categorical = new CategoricalSplit[builder.Categorical.Count];
        _categoricalMask = new ulong[trees];
        for (var t = 0; t < trees; t++)
        {
            for (var c = _treeCategorical[t]; c < _treeCategorical[t + 1]; c++)
            {
                var n = ensemble.Nodes[builder.CategoricalNodes[c]];
                _categorical[c] = new CategoricalSplit(n.Feature, (int)(n.Info >> 2), builder.Categorical[c], (n.Info & FlatNode.DefaultLeftFlag) != 0 ? 1UL : 0);
                _categoricalMask[t] |= 1UL << builder.Categorical[c];
            }
        }
        _records = [.. builder.Records];
        _features = [.. builder.Features];
        _table = [.. builder.Table];
        MaxRecords = _treeRecords.Length == 0 ? 0 : Math.Max(1, _treeRecords.Max());
        (_dense, _treeDense) = DenseLayout(features);
    }

    /// <summary>The features <see cref="AddDense"/> covers: four vectors of eight doubles.</summary>
    public const int DenseWidth = 32;

    /// <summary>Each record's permutation onto the features, and which trees can use it (AVX-512, a model of at most
    /// <see cref="DenseWidth"/> features, records of 8 slots).</summary>
    private (byte[] Dense, bool[] TreeDense) DenseLayout(int features)
    {
        var treeDense = new bool[_treeRecords.Length];
        if (!Avx512F.IsSupported || features > DenseWidth)
        {
            return ([], treeDense);
        }
        var dense = new byte[_records.Length * DenseWidth];
        dense.AsSpan().Fill(8);
        for (var r = 0; r < _records.Length; r++)
        {
            ref var record = ref _records[r];
            for (var s = 0; s < record.Slots; s++)
            {
                var feature = _features[record.Features + s];
                if (feature < features)
                {
                    dense[(r * DenseWidth) + feature] = (byte)s;
                }
            }
        }
        for (var t = 0; t < treeDense.Length; t++)
        {
            treeDense[t] = _treeRecords[t] > 0 && new ArraySegment<Record>(_records, _treeRecord[t], _treeRecords[t]).All(r => r.Slots == 8);
        }
        return (dense, treeDense);
    }

    /// <summary>Whether <see cref="AddDense"/> can add any tree.</summary>
    public bool AnyDense => _treeDense.Contains(true);

    /// <summary>Whether <see cref="AddDense"/> can add tree <paramref name="tree"/>.</summary>
    public bool Dense(int tree) => _treeDense[tree];

    /// <summary>
    /// Adds tree <paramref name="tree"/>'s records at the table rows <see cref="Prepare"/> found to <paramref name="sums"/>
    /// (<see cref="DenseWidth"/> doubles, one per feature): each row's eight values, widened to doubles, are spread over the
    /// features by one two-table permutation per vector of eight features (a feature not in the record takes the zero
    /// table's lane), so a record costs a dozen vector instructions instead of eight dependent scalar additions.
    /// </summary>
    public void AddDense(int tree, ReadOnlySpan<int> offsets, Span<double> sums)
    {
        var count = _treeRecords[tree];
        ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
        ref var index = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_dense), _treeRecord[tree] * DenseWidth);
        ref var sum = ref MemoryMarshal.GetReference(sums);
        var s0 = Vector512.LoadUnsafe(ref sum);
        var s1 = Vector512.LoadUnsafe(ref sum, 8);
        var s2 = Vector512.LoadUnsafe(ref sum, 16);
        var s3 = Vector512.LoadUnsafe(ref sum, 24);
        var zero = Vector512<double>.Zero;
        for (var r = 0; r < count; r++)
        {
            var values = Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref table, (nuint)offsets[r]));
            ref var lanes = ref Unsafe.Add(ref index, r * DenseWidth);
            s0 += Avx512F.PermuteVar8x64x2(values, Lanes(ref lanes, 0), zero);
            s1 += Avx512F.PermuteVar8x64x2(values, Lanes(ref lanes, 8), zero);
            s2 += Avx512F.PermuteVar8x64x2(values, Lanes(ref lanes, 16), zero);
            s3 += Avx512F.PermuteVar8x64x2(values, Lanes(ref lanes, 24), zero);
        }
        s0.StoreUnsafe(ref sum);
        s1.StoreUnsafe(ref sum, 8);
        s2.StoreUnsafe(ref sum, 16);
        s3.StoreUnsafe(ref sum, 24);
    }

    /// <summary>Eight permutation bytes widened to the 64-bit lanes <c>vpermt2pd</c> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<long> Lanes(ref byte lanes, int at) =>
        Avx512F.ConvertToVector512Int64(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref lanes, at))).AsByte());

    /// <summary>Whether tree <paramref name="tree"/> is explained here (or is a single leaf, which has nothing to explain).</summary>
    public bool Handles(int tree) => _treeRecords[tree] >= 0;

    /// <summary>Adds tree <paramref name="tree"/>'s contributions for <paramref name="row"/> to <paramref name="phi"/> and
    /// <paramref name="phi2"/> (two accumulators: consecutive records mostly add to the same features), each holding the
    /// features and the bias slot.</summary>
    public void Add(int tree, ReadOnlySpan<double> row, Span<double> phi, Span<double> phi2)
    {
        var count = _treeRecords[tree];
        if (count > 0)
        {
            Span<int> offsets = stackalloc int[count];
            Offsets(tree, Decisions(tree, row), offsets, prefetch: false);
            Add(tree, offsets, phi, phi2);
        }
    }

    /// <summary>The row's decisions at tree <paramref name="tree"/>'s splits, with the table rows they select fetched
    /// into cache ahead of <see cref="Add(int, ReadOnlySpan{int}, Span{double}, Span{double})"/> (one row at a time, tree after tree,
    /// the tables do not stay in cache: the next tree's rows load while this one's are added).</summary>
    public void Prepare(int tree, ReadOnlySpan<double> row, Span<int> offsets)
    {
        if (_treeRecords[tree] > 0)
        {
            Offsets(tree, Decisions(tree, row), offsets, prefetch: true);
        }
    }

    /// <summary>Each of the tree's records' table row for <paramref name="decisions"/>, optionally fetched into cache.</summary>
    private unsafe void Offsets(int tree, ulong decisions, Span<int> offsets, bool prefetch)
    {
        var count = _treeRecords[tree];
        var first = _treeRecord[tree];
        fixed (float* table = _table)
        {
            for (var r = 0; r < count; r++)
            {
                ref var record = ref _records[first + r];
                var offset = record.Table + ((int)Extract(decisions, record.Ancestors) * record.Slots);
                offsets[r] = offset;
                if (prefetch && Sse.IsSupported)
                {
                    Sse.Prefetch0(table + offset);
                }
            }
        }
    }

    /// <summary>The most records a tree has (the room <see cref="Prepare"/> needs).</summary>
    public int MaxRecords { get; }

    /// <summary>Adds tree <paramref name="tree"/>'s records at the table rows <see cref="Prepare"/> found.</summary>
    public void Add(int tree, ReadOnlySpan<int> offsets, Span<double> phi, Span<double> phi2)
    {
        var count = _treeRecords[tree];
        ref var record0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_records), _treeRecord[tree]);
        ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
        ref var features = ref MemoryMarshal.GetArrayDataReference(_features);
        ref var a = ref MemoryMarshal.GetReference(phi);
        ref var b = ref MemoryMarshal.GetReference(phi2);
        for (var r = 0; r < count; r++)
        {
            ref var record = ref Unsafe.Add(ref record0, r);
            ref var values = ref Unsafe.Add(ref table, offsets[r]);
            ref var slots = ref Unsafe.Add(ref features, record.Features);
            ref var sums = ref (r & 1) == 0 ? ref a : ref b;
            for (var s = 0; s < record.Slots; s += 8)
            {
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s)) += Unsafe.Add(ref values, s);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 1)) += Unsafe.Add(ref values, s + 1);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 2)) += Unsafe.Add(ref values, s + 2);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 3)) += Unsafe.Add(ref values, s + 3);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 4)) += Unsafe.Add(ref values, s + 4);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 5)) += Unsafe.Add(ref values, s + 5);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 6)) += Unsafe.Add(ref values, s + 6);
                Unsafe.Add(ref sums, Unsafe.Add(ref slots, s + 7)) += Unsafe.Add(ref values, s + 7);
            }
        }
    }

    /// <summary>Bit i: the row goes left at the tree's split i (preorder).</summary>
    private unsafe ulong Decisions(int tree, ReadOnlySpan<double> row)
    {
        var first = _treeSplit[tree];
        var splits = _treeSplits[tree];
        ulong below = 0, missing = 0;
        fixed (double* x = row)
        fixed (int* feature = &_splitFeature[first])
        fixed (double* threshold = &_splitThreshold[first])
        {
            if (Avx2.IsSupported)
            {
                // four splits at a time: gather their features' values, compare with the thresholds, keep the sign bits
                for (var i = 0; i < splits; i += 4)
                {
                    var values = Avx2.GatherVector256(x, Sse2.LoadVector128(feature + i), 8);
                    var limits = Avx.LoadVector256(threshold + i);
                    below |= (ulong)(uint)Avx.MoveMask(Avx.Compare(values, limits, FloatComparisonMode.OrderedLessThanOrEqualNonSignaling)) << i;
                    missing |= (ulong)(uint)Avx.MoveMask(Avx.Compare(values, values, FloatComparisonMode.UnorderedNonSignaling)) << i;
                }
            }
            else
            {
                for (var i = 0; i < splits; i++)
                {
                    var v = x[feature[i]];
                    var left = v <= threshold[i];
                    var nan = double.IsNaN(v);
                    below |= (ulong)Unsafe.As<bool, byte>(ref left) << i;
                    missing |= (ulong)Unsafe.As<bool, byte>(ref nan) << i;
                }
            }
        }
        var decisions = below | (missing & _defaultLeft[tree]);
        // categorical splits (threshold NaN, so "below" is 0 there): the ensemble's test, inline (a model with categories has
        // them at about a third of its splits): the code's bit in the split's set; a missing or unknown code (not in
        // [0, MaxCategoricalCodes) once truncated) takes the default way
        var from = _treeCategorical[tree];
        var count = _treeCategorical[tree + 1] - from;
        if (count == 0)
        {
            return decisions;
        }
        ref var split0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_categorical), from);
        ref var bits = ref MemoryMarshal.GetArrayDataReference(_ensemble.CategoryBits);
        ref var x0 = ref MemoryMarshal.GetReference(row);
        ulong lefts = 0;
        for (var c = 0; c < count; c++)
        {
            ref readonly var split = ref Unsafe.Add(ref split0, c);
            var v = Unsafe.Add(ref x0, split.Feature);
            ulong left;
            if (v > -1.0 && v < FeatureBins.MaxCategoricalCodes)
            {
                var code = (int)v;
                left = (Unsafe.Add(ref bits, split.Bits + (code >> 5)) >> (code & 31)) & 1;
            }
            else
            {
                left = split.DefaultLeft;
            }
            lefts |= left << split.Split;
        }
        return (decisions & ~_categoricalMask[tree]) | lefts;
    }


    /// <summary>The bits of <paramref name="value"/> under <paramref name="mask"/>, packed low (pext).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Extract(ulong value, ulong mask)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.ParallelBitExtract(value, mask);
        }
        ulong result = 0;
        var bit = 0;
        while (mask != 0)
        {
            var low = BitOperations.TrailingZeroCount(mask);
            result |= ((value >> low) & 1) << bit++;
            mask &= mask - 1;
        }
        return result;
    }

    /// <summary>Lays out trees: splits in preorder, and a record per sibling-leaf pair or lone leaf.</summary>
    private sealed class Builder(TreeEnsemble ensemble, TreeCovers covers, int featureCount)
    {
        public List<int> Splits { get; } = [];

        public List<int> Categorical { get; } = [];

        public List<int> CategoricalNodes { get; } = [];

        public List<Record> Records { get; } = [];

        public List<int> Features { get; } = [];

        public List<float> Table { get; } = [];

        /// <summary>Whether the tree has at most 64 splits and no leaf deeper than <see cref="MaxRecordDepth"/> (a record's
        /// table has a row for each combination of the splits above and in it, at most 2^(depth + 1)).</summary>
        public bool Fits(int root)
        {
            var (splits, depth) = (0, 0);
            void Walk(int node, int level)
            {
                if (node < 0)
                {
                    depth = Math.Max(depth, level);
                    return;
                }
                splits++;
                Walk(ensemble.Nodes[node].Left, level + 1);
                Walk(ensemble.Nodes[node].Right, level + 1);
            }
            Walk(root, 0);
            return splits <= 64 && depth <= MaxRecordDepth;
        }

        /// <summary>An upper bound of the table values the subtree needs (2^depth × depth per leaf).</summary>
        public long Size(int node, int depth) =>
            node < 0 ? (1L << (depth + 1)) * Math.Max(depth + 1, 8) : Size(ensemble.Nodes[node].Left, depth + 1) + Size(ensemble.Nodes[node].Right, depth + 1);

        private int _first;

        /// <summary>The height of the subtrees one record covers (2: up to four leaves under three splits).</summary>
        private const int RecordHeight = 2;

        public void AddTree(int root, double scale)
        {
            _first = Splits.Count;
            Walk(root, [], scale);
        }

        /// <summary>One path step: the split's preorder number, its node, and whether the path goes left there.</summary>
        private readonly record struct Step(int Split, int Node, bool Left);

        private int Height(int node) => node < 0 ? 0 : 1 + Math.Max(Height(ensemble.Nodes[node].Left), Height(ensemble.Nodes[node].Right));

        private int Number(int node)
        {
            var split = Splits.Count - _first;
            Splits.Add(node);
            if ((ensemble.Nodes[node].Info & FlatNode.CategoricalFlag) != 0)
            {
                Categorical.Add(split);
                CategoricalNodes.Add(node);
            }
            return split;
        }

        private void Walk(int node, List<Step> path, double scale)
        {
            if (Height(node) <= RecordHeight)
            {
                AddRecord(node, path, scale);
                return;
            }
            var n = ensemble.Nodes[node];
            var split = Number(node);
            Walk(n.Left, [.. path, new Step(split, node, true)], scale);
            Walk(n.Right, [.. path, new Step(split, node, false)], scale);
        }

        /// <summary>A record for the subtree at <paramref name="top"/> (a leaf, or splits at most two deep): its splits are
        /// numbered, and for every combination of decisions on its ancestors and inside it, the sum of its leaves' values.</summary>
        private void AddRecord(int top, List<Step> above, double scale)
        {
            var leaves = new List<(int Leaf, List<Step> Path)>();
            void Collect(int node, List<Step> path)
            {
                if (node < 0)
                {
                    leaves.Add((node, path));
                    return;
                }
                var split = Number(node);
                Collect(ensemble.Nodes[node].Left, [.. path, new Step(split, node, true)]);
                Collect(ensemble.Nodes[node].Right, [.. path, new Step(split, node, false)]);
            }
            Collect(top, above);
            // the record's splits (ancestors and its own) in preorder number, which is the order pext packs their bits in
            var splits = leaves.SelectMany(l => l.Path).Select(step => step.Split).Distinct().Order().ToList();
            var slots = new List<int>();
            foreach (var step in leaves.SelectMany(l => l.Path))
            {
                var f = ensemble.Nodes[step.Node].Feature;
                if (!slots.Contains(f))
                {
                    slots.Add(f);
                }
            }
            ulong ancestors = 0;
            foreach (var split in splits)
            {
                ancestors |= 1UL << split;
            }
            var d = slots.Count;
            var sums = new double[(1 << splits.Count) * d];
            foreach (var (leaf, path) in leaves)
            {
                var own = new List<int>();
                foreach (var step in path)
                {
                    var f = ensemble.Nodes[step.Node].Feature;
                    if (!own.Contains(f))
                    {
                        own.Add(f);
                    }
                }
                var values = Shapley(path, own, leaf, scale);
                var at = own.Select(f => slots.IndexOf(f)).ToArray();
                var bitOf = path.Select(step => splits.IndexOf(step.Split)).ToArray();
                for (var combination = 0; combination < 1 << splits.Count; combination++)
                {
                    var pattern = Pattern(path, own, combination, bitOf);
                    for (var s = 0; s < own.Count; s++)
                    {
                        sums[(combination * d) + at[s]] += values[(pattern * own.Count) + s];
                    }
                }
            }
            // each combination's values padded to whole lanes of 8; the padding adds 0 to the bias slot
            var lanes = (d + 7) / 8 * 8;
            Records.Add(new Record { Ancestors = ancestors, Table = Table.Count, Slots = lanes, Features = Features.Count });
            Features.AddRange(slots);
            Features.AddRange(Enumerable.Repeat(featureCount, lanes - d));
            for (var combination = 0; combination < 1 << splits.Count; combination++)
            {
                for (var s = 0; s < lanes; s++)
                {
                    Table.Add(s < d ? (float)sums[(combination * d) + s] : 0f);
                }
            }
        }

        /// <summary>Which slots a row with these decisions satisfies on the way to the leaf: every split of the slot's feature
        /// sends it the leaf's way.</summary>
        private int Pattern(List<Step> path, List<int> slots, int combination, int[] bitOf)
        {
            var pattern = (1 << slots.Count) - 1;
            for (var j = 0; j < path.Count; j++)
            {
                var wentLeft = ((combination >> bitOf[j]) & 1) != 0;
                if (wentLeft != path[j].Left)
                {
                    pattern &= ~(1 << slots.IndexOf(ensemble.Nodes[path[j].Node].Feature));
                }
            }
            return pattern;
        }

        /// <summary>The leaf's SHAP values for every pattern of its slots (shares of cover multiplied per slot).</summary>
        private double[] Shapley(List<Step> path, List<int> slots, int leaf, double scale)
        {
            var zeros = Enumerable.Repeat(1.0, slots.Count).ToArray();
            for (var j = 0; j < path.Count; j++)
            {
                var n = ensemble.Nodes[path[j].Node];
                var child = path[j].Left ? n.Left : n.Right;
                var cover = covers.Nodes[path[j].Node];
                var share = cover > 0 ? (child < 0 ? covers.Leaves[~child] : covers.Nodes[child]) / cover : 0.5;
                zeros[slots.IndexOf(n.Feature)] *= share;
            }
            return LeafShapley.Values(ensemble.Leaves[~leaf] * scale, zeros);
        }
    }
}
