using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.Learn.Model;

namespace Kiln.Learn.Explanations;

/// <summary>
/// TreeSHAP by precomputed tables (the idea of Fast TreeSHAP v2, Yang 2021), for trees too deep for
/// <see cref="DecisionTables"/>. Path-dependent SHAP values of one leaf depend on the row only through which of the d
/// unique features on the leaf's path the row satisfies (a d-bit pattern; the values per pattern come from
/// <see cref="LeafShapley"/>). Each leaf — two sibling leaves as one record — keeps its d values for every pattern, so a
/// row costs one comparison per split and d additions per record, against O(d²) per leaf for <see cref="PathShap"/>.
/// Trees whose paths hold more than <see cref="MaxSlots"/> unique features, and those past the memory budget, are left to
/// <see cref="PathShap"/>.
/// </summary>
internal sealed class ShapTables
{
    /// <summary>The most unique features on one path a tabled tree may have (2^10 × 10 values per such leaf).</summary>
    public const int MaxSlots = 10;

    /// <summary>The most table values kept for a model (128 MB of floats).</summary>
    private const long Budget = 1L << 25;

    private readonly TreeEnsemble _ensemble;
    private readonly int[] _treeFirst;
    private readonly int[] _treeNodes;
    private readonly ShapNode[] _nodes;
    private readonly ShapLeaf[] _leaves;
    private readonly int[] _leafFeatures;
    private readonly float[] _table;

    private struct ShapNode
    {
        public double Threshold;
        public bool DefaultLeft;
        public bool Categorical;
        public int Node;
        public int Feature;
        public int Bit;
        public bool New;
        /// <summary>−1 when <see cref="New"/>, else 0.</summary>
        public int NewMask;
        /// <summary>Both children are leaves, kept as one record (<see cref="Left"/>) indexed by pattern × 2 + went left.</summary>
        public bool Pair;
        /// <summary>≥ 0: the child's position in <see cref="_nodes"/>; below 0: ~its index in <see cref="_leaves"/>.</summary>
        public int Left;
        public int Right;
    }

    private struct ShapLeaf
    {
        public int Table;
        public int Depth;
        public int Features;
    }

    public ShapTables(TreeEnsemble ensemble, TreeCovers covers, int maxSlots = MaxSlots, Func<int, bool>? elsewhere = null)
    {
        _ensemble = ensemble;
        var trees = ensemble.TreeCount;
        _treeFirst = new int[trees];
        _treeNodes = new int[trees];
        var nodes = new List<ShapNode>();
        var leaves = new List<ShapLeaf>();
        var leafFeatures = new List<int>();
        var table = new List<float>();
        var builder = new Builder(ensemble, covers, nodes, leaves, leafFeatures, table, maxSlots);
        for (var t = 0; t < trees; t++)
        {
            var root = ensemble.Roots[t];
            if (root < 0 || elsewhere?.Invoke(t) == true)
            {
                _treeFirst[t] = Skip; // a single leaf (bias only), or a tree another layout explains
                continue;
            }
            var size = builder.TableSize(root, 0, []);
            if (size < 0 || table.Count + size > Budget)
            {
                _treeFirst[t] = Fallback;
                continue;
            }
            _treeFirst[t] = nodes.Count;
            builder.Add(root, [], [], ensemble.Scale);
            _treeNodes[t] = nodes.Count - _treeFirst[t];
        }
        _nodes = [.. nodes];
        _leaves = [.. leaves];
        _leafFeatures = [.. leafFeatures];
        _table = [.. table];
        MaxTreeNodes = _treeNodes.Length == 0 ? 0 : _treeNodes.Max();
    }

    private const int Skip = -1;
    private const int Fallback = -2;

    /// <summary>The largest tabled tree's split count (the scratch <see cref="Add"/> needs).</summary>
    public int MaxTreeNodes { get; }

    /// <summary>Whether tree <paramref name="tree"/> needs <see cref="PathShap"/>.</summary>
    public bool NeedsPath(int tree) => _treeFirst[tree] == Fallback;

    /// <summary>Adds tree <paramref name="tree"/>'s contributions for <paramref name="row"/> to <paramref name="phi"/> (one
    /// per feature). <paramref name="patterns"/> holds at least <see cref="MaxTreeNodes"/> ints.</summary>
    public void Add(int tree, ReadOnlySpan<double> row, Span<double> phi, Span<double> phi2, Span<int> patterns)
    {
        var first = _treeFirst[tree];
        if (first < 0)
        {
            return;
        }
        ref var node0 = ref _nodes[first];
        var count = _treeNodes[tree];
        ref var pattern0 = ref MemoryMarshal.GetReference(patterns);
        ref var x = ref MemoryMarshal.GetReference(row);
        pattern0 = 0;
        for (var i = 0; i < count; i++)
        {
            ref var n = ref Unsafe.Add(ref node0, i);
            var p = Unsafe.Add(ref pattern0, i);
            var v = Unsafe.Add(ref x, n.Feature);
            var goesLeft = n.Categorical ? _ensemble.GoesLeft(n.Node, v) : (v <= n.Threshold) | (double.IsNaN(v) & n.DefaultLeft);
            // branch-free: which way a row goes is a coin flip to the predictor
            var went = (int)Unsafe.As<bool, byte>(ref goesLeft);
            if (n.Pair)
            {
                // both children are leaves: one record, indexed by the pattern here and the way the row goes; records
                // alternate between two accumulators (consecutive ones mostly add to the same features, and one chain
                // of adds to the same addresses would wait on each store)
                AddRecord(~n.Left, (p << 1) | went, (i & 1) == 0 ? phi : phi2);
                continue;
            }
            var onLeft = n.Bit & -went;
            var onRight = n.Bit ^ onLeft;
            // a new feature's bit is set on the side the row takes; a repeated one is cleared on the side it does not
            var isNew = n.NewMask;
            var left = (p | (onLeft & isNew)) & ~(onRight & ~isNew);
            var right = (p | (onRight & isNew)) & ~(onLeft & ~isNew);
            if (n.Left >= 0)
            {
                Unsafe.Add(ref pattern0, n.Left - first) = left;
            }
            else
            {
                AddRecord(~n.Left, left, phi);
            }
            if (n.Right >= 0)
            {
                Unsafe.Add(ref pattern0, n.Right - first) = right;
            }
            else
            {
                AddRecord(~n.Right, right, phi2);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddRecord(int index, int pattern, Span<double> phi)
    {
        ref var leaf = ref _leaves[index];
        var d = leaf.Depth;
        ref var values = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_table), leaf.Table + (pattern * d));
        ref var features = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leafFeatures), leaf.Features);
        ref var sums = ref MemoryMarshal.GetReference(phi);
        for (var s = 0; s < d; s++)
        {
            Unsafe.Add(ref sums, Unsafe.Add(ref features, s)) += Unsafe.Add(ref values, s);
        }
    }

    /// <summary>Lays out trees and fills their tables.</summary>
    private sealed class Builder(TreeEnsemble ensemble, TreeCovers covers, List<ShapNode> nodes, List<ShapLeaf> leaves,
        List<int> leafFeatures, List<float> table, int maxSlots)
    {
        /// <summary>The table values the subtree needs, or −1 when a path has more than maxSlots unique features.</summary>
        public long TableSize(int node, int depth, List<int> path)
        {
            if (node < 0)
            {
                return (1L << path.Count) * path.Count;
            }
            var n = ensemble.Nodes[node];
            var added = !path.Contains(n.Feature);
            if (added)
            {
                if (path.Count == maxSlots)
                {
                    return -1;
                }
                path.Add(n.Feature);
            }
            var left = TableSize(n.Left, depth + 1, path);
            var right = left < 0 ? -1 : TableSize(n.Right, depth + 1, path);
            if (added)
            {
                path.RemoveAt(path.Count - 1);
            }
            return left < 0 || right < 0 ? -1 : left + right;
        }

        /// <summary>Adds the subtree at <paramref name="node"/> (its parents already laid out); returns its reference
        /// (position, or ~leaf index).</summary>
        public int Add(int node, List<int> path, List<double> zeros, double scale)
        {
            if (node < 0)
            {
                return ~Append(LeafShapley.Values(ensemble.Leaves[~node] * scale, zeros), path);
            }
            var n = ensemble.Nodes[node];
            var slot = path.IndexOf(n.Feature);
            var isNew = slot < 0;
            if (isNew)
            {
                slot = path.Count;
            }
            var position = nodes.Count;
            nodes.Add(new ShapNode
            {
                Node = node, Feature = n.Feature, Bit = 1 << slot, New = isNew, NewMask = isNew ? -1 : 0, Threshold = n.Threshold,
                DefaultLeft = (n.Info & FlatNode.DefaultLeftFlag) != 0, Categorical = (n.Info & FlatNode.CategoricalFlag) != 0,
            });
            var cover = covers.Nodes[node];
            if (n.Left < 0 && n.Right < 0)
            {
                // two leaves: one record, their tables summed for each pattern here and each way the row can go
                var (left, right) = (Leaf(n.Left), Leaf(n.Right));
                var bits = path.Count;
                var d = bits + (isNew ? 1 : 0);
                var combined = new double[(1 << bits) * 2 * d];
                var bit = 1 << slot;
                for (var p = 0; p < 1 << bits; p++)
                {
                    for (var goesLeft = 0; goesLeft < 2; goesLeft++)
                    {
                        var onLeft = goesLeft == 1 ? bit : 0;
                        var onRight = bit ^ onLeft;
                        var l = isNew ? p | onLeft : p & ~onRight;
                        var r = isNew ? p | onRight : p & ~onLeft;
                        for (var s = 0; s < d; s++)
                        {
                            combined[(((p << 1) | goesLeft) * d) + s] = left[(l * d) + s] + right[(r * d) + s];
                        }
                    }
                }
                if (isNew)
                {
                    path.Add(n.Feature);
                }
                var record = Append(combined, path);
                if (isNew)
                {
                    path.RemoveAt(path.Count - 1);
                }
                ref var pair = ref CollectionsMarshal.AsSpan(nodes)[position];
                pair.Pair = true;
                pair.Left = ~record;
                pair.Right = ~record;
                return position;
            }
            var leftChild = Child(n.Left);
            var rightChild = Child(n.Right);
            // the children were laid out after this node (the list may have grown since it was added)
            ref var added = ref CollectionsMarshal.AsSpan(nodes)[position];
            added.Left = leftChild;
            added.Right = rightChild;
            return position;

            double[] Leaf(int child)
            {
                var previous = Enter(child);
                var values = LeafShapley.Values(ensemble.Leaves[~child] * scale, zeros);
                Leave(previous);
                return values;
            }

            int Child(int child)
            {
                var previous = Enter(child);
                var reference = Add(child, path, zeros, scale);
                Leave(previous);
                return reference;
            }

            // the child's path: a new feature gets the next slot, a repeated one multiplies its share
            double Enter(int child)
            {
                var share = cover > 0 ? (child < 0 ? covers.Leaves[~child] : covers.Nodes[child]) / cover : 0.5;
                if (isNew)
                {
                    path.Add(n.Feature);
                    zeros.Add(share);
                    return double.NaN;
                }
                var previous = zeros[slot];
                zeros[slot] = previous * share;
                return previous;
            }

            void Leave(double previous)
            {
                if (isNew)
                {
                    path.RemoveAt(path.Count - 1);
                    zeros.RemoveAt(zeros.Count - 1);
                }
                else
                {
                    zeros[slot] = previous;
                }
            }
        }

        private int Append(double[] values, List<int> path)
        {
            var index = leaves.Count;
            leaves.Add(new ShapLeaf { Table = table.Count, Depth = path.Count, Features = leafFeatures.Count });
            leafFeatures.AddRange(path);
            foreach (var v in values)
            {
                table.Add((float)v);
            }
            return index;
        }


    }
}
