using System.Runtime.InteropServices;
using Kiln.Learn.Model;

namespace Kiln.Learn.Explanations;

/// <summary>
/// TreeSHAP by precomputed tables (the idea of Fast TreeSHAP v2, Yang 2021). Path-dependent SHAP values of one leaf depend
/// on the row only through which of the d unique features on the leaf's path the row satisfies (a d-bit pattern): for
/// slot s, φ_s = v · (o_s − z_s) · Σ_{S ⊆ F∖s} |S|!(d−|S|−1)!/d! · Π_{k∈S} o_k · Π_{k∉S} z_k, with o the pattern's bits
/// and z the share of the node's cover that took the leaf's side. Each leaf keeps the d values for every one of its 2^d
/// patterns, so a row costs one comparison per split and d additions per leaf, against O(d²) per leaf for
/// <see cref="PathShap"/>. Trees whose paths hold more than <see cref="MaxSlots"/> unique features, and those past the
/// memory budget, are left to <see cref="PathShap"/>.
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
        public int Node;
        public int Feature;
        public int Bit;
        public bool New;
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

    public ShapTables(TreeEnsemble ensemble, TreeCovers covers, int maxSlots = MaxSlots)
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
            if (root < 0)
            {
                _treeFirst[t] = Skip; // a single leaf: bias only
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
    public void Add(int tree, ReadOnlySpan<double> row, Span<double> phi, Span<int> patterns)
    {
        var first = _treeFirst[tree];
        if (first < 0)
        {
            return;
        }
        var nodes = _nodes.AsSpan(first, _treeNodes[tree]);
        patterns[0] = 0;
        for (var i = 0; i < nodes.Length; i++)
        {
            ref var n = ref nodes[i];
            var p = patterns[i];
            var onLeft = _ensemble.GoesLeft(n.Node, row[n.Feature]) ? n.Bit : 0;
            var onRight = n.Bit ^ onLeft;
            // a new feature's bit is set on the side the row takes; a repeated one is cleared on the side it does not
            var left = n.New ? p | onLeft : p & ~onRight;
            var right = n.New ? p | onRight : p & ~onLeft;
            if (n.Left >= 0)
            {
                patterns[n.Left - first] = left;
            }
            else
            {
                AddLeaf(~n.Left, left, phi);
            }
            if (n.Right >= 0)
            {
                patterns[n.Right - first] = right;
            }
            else
            {
                AddLeaf(~n.Right, right, phi);
            }
        }
    }

    private void AddLeaf(int index, int pattern, Span<double> phi)
    {
        ref var leaf = ref _leaves[index];
        var d = leaf.Depth;
        var values = _table.AsSpan(leaf.Table + (pattern * d), d);
        var features = _leafFeatures.AsSpan(leaf.Features, d);
        for (var s = 0; s < values.Length; s++)
        {
            phi[features[s]] += values[s];
        }
    }

    /// <summary>Lays out trees and fills their tables.</summary>
    private sealed class Builder(TreeEnsemble ensemble, TreeCovers covers, List<ShapNode> nodes, List<ShapLeaf> leaves,
        List<int> leafFeatures, List<float> table, int maxSlots)
    {
        private readonly double[] _poly = new double[MaxSlots + 2];
        private readonly double[] _quotient = new double[MaxSlots + 2];

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
                return ~AddLeaf(ensemble.Leaves[~node] * scale, path, zeros);
            }
            var n = ensemble.Nodes[node];
            var slot = path.IndexOf(n.Feature);
            var isNew = slot < 0;
            if (isNew)
            {
                slot = path.Count;
            }
            var position = nodes.Count;
            nodes.Add(new ShapNode { Node = node, Feature = n.Feature, Bit = 1 << slot, New = isNew });
            var cover = covers.Nodes[node];
            var left = Child(n.Left);
            var right = Child(n.Right);
            // the children were laid out after this node (the list may have grown since it was added)
            ref var added = ref CollectionsMarshal.AsSpan(nodes)[position];
            added.Left = left;
            added.Right = right;
            return position;

            int Child(int child)
            {
                var share = cover > 0 ? (child < 0 ? covers.Leaves[~child] : covers.Nodes[child]) / cover : 0.5;
                if (isNew)
                {
                    path.Add(n.Feature);
                    zeros.Add(share);
                }
                var previous = zeros[slot];
                if (!isNew)
                {
                    zeros[slot] = previous * share;
                }
                var reference = Add(child, path, zeros, scale);
                if (isNew)
                {
                    path.RemoveAt(path.Count - 1);
                    zeros.RemoveAt(zeros.Count - 1);
                }
                else
                {
                    zeros[slot] = previous;
                }
                return reference;
            }
        }

        private int AddLeaf(double value, List<int> path, List<double> zeros)
        {
            var d = path.Count;
            var index = leaves.Count;
            leaves.Add(new ShapLeaf { Table = table.Count, Depth = d, Features = leafFeatures.Count });
            leafFeatures.AddRange(path);
            // the subset weights |S|!(d−|S|−1)!/d! for d players
            Span<double> weights = stackalloc double[Math.Max(d, 1)];
            for (var j = 0; j < d; j++)
            {
                weights[j] = Factorial(j) * Factorial(d - j - 1) / Factorial(d);
            }
            for (var pattern = 0; pattern < 1 << d; pattern++)
            {
                // the polynomial Π_k (z_k + o_k·t): coefficient j sums the products over subsets S of size j
                var poly = _poly;
                Array.Clear(poly);
                poly[0] = 1;
                for (var k = 0; k < d; k++)
                {
                    var o = (pattern >> k) & 1;
                    for (var j = k + 1; j >= 0; j--)
                    {
                        poly[j] = (poly[j] * zeros[k]) + (j > 0 && o != 0 ? poly[j - 1] : 0);
                    }
                }
                for (var s = 0; s < d; s++)
                {
                    var o = (pattern >> s) & 1;
                    var z = zeros[s];
                    var sum = 0.0;
                    var q = WithoutFactor(poly, d, s, o, z, zeros, pattern);
                    for (var j = 0; j < d; j++)
                    {
                        sum += q[j] * weights[j];
                    }
                    table.Add((float)(value * (o - z) * sum));
                }
            }
            return index;
        }

        /// <summary>The polynomial without factor (z_s + o_s·t): by synthetic division, or rebuilt without it when the
        /// factor is the constant 0.</summary>
        private double[] WithoutFactor(double[] poly, int d, int s, int o, double z, List<double> zeros, int pattern)
        {
            var q = _quotient;
            Array.Clear(q);
            if (o != 0)
            {
                // poly = (t + z)·q, from the top coefficient down
                q[d - 1] = poly[d];
                for (var j = d - 1; j >= 1; j--)
                {
                    q[j - 1] = poly[j] - (z * q[j]);
                }
                return q;
            }
            if (z > 1e-9)
            {
                for (var j = 0; j < d; j++)
                {
                    q[j] = poly[j] / z;
                }
                return q;
            }
            q[0] = 1;
            var terms = 0;
            for (var k = 0; k < d; k++)
            {
                if (k == s)
                {
                    continue;
                }
                var ok = (pattern >> k) & 1;
                terms++;
                for (var j = terms; j >= 0; j--)
                {
                    q[j] = (q[j] * zeros[k]) + (j > 0 && ok != 0 ? q[j - 1] : 0);
                }
            }
            return q;
        }

        private static double Factorial(int n)
        {
            var f = 1.0;
            for (var i = 2; i <= n; i++)
            {
                f *= i;
            }
            return f;
        }
    }
}
