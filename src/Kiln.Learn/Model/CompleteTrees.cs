using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Learn.Model;

/// <summary>The numeric trees of a <see cref="TreeEnsemble"/> laid out as complete binary trees (XGBoost/LightGBM depth-wise
/// trees are nearly complete): tree t's node at slot i has children 2i+1 and 2i+2, so traversal is branch-free index
/// arithmetic (i = 2i + 1 + goesRight) for exactly <see cref="Depth"/>[t] steps, and the leaf is i − (2^depth − 1). A leaf
/// above the bottom level becomes "always left" filler nodes (threshold +∞, missing left) over copies of its value. Trees
/// with categorical splits or deeper than <see cref="MaxDepth"/> keep depth −1 and are walked the reference way.
/// Built from the ensemble, never stored: the model file format is unchanged.</summary>
internal sealed class CompleteTrees
{
    public const int MaxDepth = 10;

    private CompleteTrees(int[] depth, int[] nodeBase, int[] leafBase, int[] features, double[] thresholds, byte[] missingLeft, double[] leaves)
    {
        Depth = depth;
        NodeBase = nodeBase;
        LeafBase = leafBase;
        Features = features;
        Thresholds = thresholds;
        MissingLeft = missingLeft;
        Leaves = leaves;
    }

    /// <summary>Per tree: levels of splits, or −1 when the tree is not laid out here.</summary>
    public int[] Depth { get; }

    public int[] NodeBase { get; }

    public int[] LeafBase { get; }

    public int[] Features { get; }

    public double[] Thresholds { get; }

    /// <summary>1 when a missing value (NaN) goes left at the node.</summary>
    public byte[] MissingLeft { get; }

    public double[] Leaves { get; }

    public static CompleteTrees Create(TreeEnsemble ensemble)
    {
        var trees = ensemble.TreeCount;
        var depth = new int[trees];
        var nodeBase = new int[trees];
        var leafBase = new int[trees];
        int nodes = 0, leaves = 0;
        for (var t = 0; t < trees; t++)
        {
            var d = DepthOf(ensemble, ensemble.Roots[t], 0);
            depth[t] = d;
            nodeBase[t] = nodes;
            leafBase[t] = leaves;
            if (d >= 0)
            {
                nodes += (1 << d) - 1;
                leaves += 1 << d;
            }
        }
        var result = new CompleteTrees(depth, nodeBase, leafBase, new int[nodes], new double[nodes], new byte[nodes], new double[leaves]);
        for (var t = 0; t < trees; t++)
        {
            if (depth[t] >= 0)
            {
                result.Fill(ensemble, ensemble.Roots[t], 0, 0, t);
            }
        }
        return result;
    }

    /// <summary>The depth below <paramref name="node"/>, or −1 when the subtree has a categorical split or is too deep.</summary>
    private static int DepthOf(TreeEnsemble ensemble, int node, int level)
    {
        if (node < 0)
        {
            return 0;
        }
        ref var n = ref ensemble.Nodes[node];
        if (level >= MaxDepth || (n.Info & FlatNode.CategoricalFlag) != 0)
        {
            return -1;
        }
        var left = DepthOf(ensemble, n.Left, level + 1);
        var right = DepthOf(ensemble, n.Right, level + 1);
        return left < 0 || right < 0 ? -1 : 1 + Math.Max(left, right);
    }

    private void Fill(TreeEnsemble ensemble, int node, int slot, int level, int tree)
    {
        var depth = Depth[tree];
        if (level == depth)
        {
            Leaves[LeafBase[tree] + slot - ((1 << depth) - 1)] = ensemble.Leaves[~node];
            return;
        }
        var at = NodeBase[tree] + slot;
        if (node < 0)
        {
            Features[at] = 0;
            Thresholds[at] = double.PositiveInfinity;
            MissingLeft[at] = 1;
            Fill(ensemble, node, (2 * slot) + 1, level + 1, tree);
            Fill(ensemble, node, (2 * slot) + 2, level + 1, tree);
            return;
        }
        ref var n = ref ensemble.Nodes[node];
        Features[at] = n.Feature;
        Thresholds[at] = n.Threshold;
        MissingLeft[at] = (byte)(n.Info & FlatNode.DefaultLeftFlag);
        Fill(ensemble, n.Left, (2 * slot) + 1, level + 1, tree);
        Fill(ensemble, n.Right, (2 * slot) + 2, level + 1, tree);
    }

    /// <summary>The next slot when no value can be missing: right iff v &gt; threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Step(nint slot, double value, double threshold)
    {
        var right = value > threshold;
        return (2 * slot) + 1 + Unsafe.As<bool, byte>(ref right);
    }

    /// <summary>The next slot when the value may be missing (NaN goes by the node's missing direction).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint StepMissing(nint slot, double value, double threshold, byte missingLeft)
    {
        var right = !(value <= threshold) & !(double.IsNaN(value) & missingLeft != 0);
        return (2 * slot) + 1 + Unsafe.As<bool, byte>(ref right);
    }

    /// <summary>How a traversal step treats missing values; a struct type argument, so each mode is compiled separately.</summary>
    public interface IStep
    {
        static abstract nint Next(nint slot, double value, ref double thresholds, ref byte missingLeft, nint at);
    }

    /// <summary>No value is missing (the caller checked): right iff v &gt; threshold.</summary>
    public readonly struct Present : IStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static nint Next(nint slot, double value, ref double thresholds, ref byte missingLeft, nint at) =>
            Step(slot, value, Unsafe.Add(ref thresholds, at));
    }

    /// <summary>Values may be NaN: they follow the node's missing direction.</summary>
    public readonly struct MaybeMissing : IStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static nint Next(nint slot, double value, ref double thresholds, ref byte missingLeft, nint at) =>
            StepMissing(slot, value, Unsafe.Add(ref thresholds, at), Unsafe.Add(ref missingLeft, at));
    }

    /// <summary>The leaf value tree <paramref name="tree"/> gives <paramref name="row"/> (any values, NaN included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Walk(int tree, ref double row)
    {
        var depth = Depth[tree];
        ref var features = ref MemoryMarshal.GetArrayDataReference(Features);
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(Thresholds);
        ref var missing = ref MemoryMarshal.GetArrayDataReference(MissingLeft);
        nint nb = NodeBase[tree];
        nint i = 0;
        for (var d = 0; d < depth; d++)
        {
            var at = nb + i;
            i = StepMissing(i, Unsafe.Add(ref row, Unsafe.Add(ref features, at)), Unsafe.Add(ref thresholds, at), Unsafe.Add(ref missing, at));
        }
        return Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Leaves), LeafBase[tree] + i - ((1 << depth) - 1));
    }

    private sealed record Offsets(int Stride, int[] Values);

    private Offsets? _offsets;

    /// <summary>Per node, feature × <paramref name="stride"/>: the node's value in a column-major block is at
    /// [offset + row], with no multiply in the traversal. Cached for the last stride asked for.</summary>
    public int[] OffsetsFor(int stride)
    {
        var cached = _offsets;
        if (cached is not null && cached.Stride == stride)
        {
            return cached.Values;
        }
        var values = new int[Features.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Features[i] * stride;
        }
        _offsets = new Offsets(stride, values);
        return values;
    }
}
