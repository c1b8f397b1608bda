using Kiln.Learn.Model;

namespace Kiln.Learn.Explanations;

/// <summary>
/// Path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for tree ensembles",
/// algorithm 2) for one tree and one row: the exact Shapley values of E[f(x) | x_S], the expectation over the tree's
/// training weight (covers) where a feature is unknown. It keeps the unique features on the current root-to-node path with
/// the weights of every subset size, extending the path at each split and unwinding it at each leaf, in O(leaves × depth²).
/// Kiln uses it for trees too deep for <see cref="ShapTables"/>, and tests check the tables against it.
/// </summary>
internal sealed class PathShap
{
    private readonly TreeEnsemble _ensemble;
    private readonly double[] _nodeCovers;
    private readonly double[] _leafCovers;

    /// <summary>Per depth of recursion, a copy of the path (the algorithm copies its parent's path at each node).</summary>
    private PathElement[] _paths = new PathElement[64];

    public PathShap(TreeEnsemble ensemble, TreeCovers covers)
    {
        _ensemble = ensemble;
        _nodeCovers = covers.Nodes;
        _leafCovers = covers.Leaves;
    }

    private struct PathElement
    {
        public int Feature;
        public double Zero;
        public double One;
        public double Weight;
    }

    /// <summary>Adds tree <paramref name="root"/>'s contributions for <paramref name="row"/> to <paramref name="phi"/>
    /// (one per feature), each multiplied by <paramref name="scale"/>.</summary>
    public void Add(int root, ReadOnlySpan<double> row, Span<double> phi, double scale)
    {
        if (root < 0)
        {
            return; // a single leaf: all of it is bias
        }
        var depth = Depth(root) + 3;
        var need = depth * (depth + 1) / 2;
        if (_paths.Length < need)
        {
            _paths = new PathElement[need];
        }
        Recurse(root, row, phi, scale, 0, 0, 1, 1, -1);
    }

    private int Depth(int node)
    {
        if (node < 0)
        {
            return 0;
        }
        var n = _ensemble.Nodes[node];
        return 1 + Math.Max(Depth(n.Left), Depth(n.Right));
    }

    private double Cover(int child) => child < 0 ? _leafCovers[~child] : _nodeCovers[child];

    /// <summary>One node of the recursion: extends the parent's path with the split that led here, then either credits the
    /// path's features with the leaf's value or recurses into the branch the row takes (hot) and the other (cold). The
    /// node is <c>node</c> (below 0: a leaf, ~index); the parent's path starts at <c>pathStart</c> in <see cref="_paths"/>
    /// and holds <c>uniqueDepth</c> + 1 elements; the parent's split on <c>parentFeature</c> passed the share
    /// <c>parentZero</c> of its cover and <c>parentOne</c> (1 when the row goes this way) to this node.</summary>
    private void Recurse(int node, ReadOnlySpan<double> row, Span<double> phi, double scale, int pathStart, int uniqueDepth,
        double parentZero, double parentOne, int parentFeature)
    {
        // this node's path starts after the parent's and begins as a copy of it
        var start = pathStart + uniqueDepth + 1;
        var paths = _paths;
        Array.Copy(paths, pathStart, paths, start, uniqueDepth + 1);
        var path = paths.AsSpan(start);
        Extend(path, uniqueDepth, parentZero, parentOne, parentFeature);
        if (node < 0)
        {
            var value = _ensemble.Leaves[~node] * scale;
            for (var i = 1; i <= uniqueDepth; i++)
            {
                var w = UnwoundSum(path, uniqueDepth, i);
                ref var e = ref path[i];
                phi[e.Feature] += w * (e.One - e.Zero) * value;
            }
            return;
        }
        var n = _ensemble.Nodes[node];
        var hot = _ensemble.GoesLeft(node, row[n.Feature]) ? n.Left : n.Right;
        var cold = hot == n.Left ? n.Right : n.Left;
        var cover = _nodeCovers[node];
        var hotZero = cover > 0 ? Cover(hot) / cover : 0.5;
        var coldZero = cover > 0 ? Cover(cold) / cover : 0.5;
        var incomingZero = 1.0;
        var incomingOne = 1.0;
        // a feature already on the path is unwound, then extended again with both splits' fractions combined
        var index = 0;
        for (; index <= uniqueDepth; index++)
        {
            if (path[index].Feature == n.Feature)
            {
                break;
            }
        }
        if (index <= uniqueDepth)
        {
            incomingZero = path[index].Zero;
            incomingOne = path[index].One;
            Unwind(path, uniqueDepth, index);
            uniqueDepth--;
        }
        Recurse(hot, row, phi, scale, start, uniqueDepth + 1, hotZero * incomingZero, incomingOne, n.Feature);
        Recurse(cold, row, phi, scale, start, uniqueDepth + 1, coldZero * incomingZero, 0, n.Feature);
    }

    private static void Extend(Span<PathElement> path, int depth, double zero, double one, int feature)
    {
        path[depth] = new PathElement { Feature = feature, Zero = zero, One = one, Weight = depth == 0 ? 1 : 0 };
        for (var i = depth - 1; i >= 0; i--)
        {
            path[i + 1].Weight += one * path[i].Weight * (i + 1) / (depth + 1);
            path[i].Weight = zero * path[i].Weight * (depth - i) / (depth + 1);
        }
    }

    private static void Unwind(Span<PathElement> path, int depth, int index)
    {
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[depth].Weight;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var tmp = path[i].Weight;
                path[i].Weight = next * (depth + 1) / ((i + 1) * one);
                next = tmp - (path[i].Weight * zero * (depth - i) / (depth + 1));
            }
            else
            {
                path[i].Weight = path[i].Weight * (depth + 1) / (zero * (depth - i));
            }
        }
        for (var i = index; i < depth; i++)
        {
            path[i].Feature = path[i + 1].Feature;
            path[i].Zero = path[i + 1].Zero;
            path[i].One = path[i + 1].One;
        }
    }

    /// <summary>The total weight of the path with element <paramref name="index"/> unwound (without changing it).</summary>
    private static double UnwoundSum(Span<PathElement> path, int depth, int index)
    {
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[depth].Weight;
        var total = 0.0;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var tmp = next * (depth + 1) / ((i + 1) * one);
                total += tmp;
                next = path[i].Weight - (tmp * zero * (depth - i) / (depth + 1));
            }
            else if (zero != 0)
            {
                total += path[i].Weight / zero * (depth + 1) / (depth - i);
            }
        }
        return total;
    }
}
