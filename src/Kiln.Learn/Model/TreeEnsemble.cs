using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kiln.Learn.Data;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Model;

/// <summary>Compiled trees in flat arrays: what a tree model predicts with and what its file holds.
/// Prediction = transform(base score + scale × Σ leaf values of the trees of each output).</summary>
internal sealed partial class TreeEnsemble
{
    public TreeEnsemble(FlatNode[] nodes, double[] leaves, uint[] categoryBits, int[] roots, int[] treeOutputs,
        double[] baseScores, OutputTransform transform, double scale)
    {
        Nodes = nodes;
        Leaves = leaves;
        CategoryBits = categoryBits;
        Roots = roots;
        TreeOutputs = treeOutputs;
        BaseScores = baseScores;
        Transform = transform;
        Scale = scale;
    }

    public FlatNode[] Nodes { get; }

    public double[] Leaves { get; }

    public uint[] CategoryBits { get; }

    /// <summary>Each tree's root node (below 0: the tree is a single leaf, ~index).</summary>
    public int[] Roots { get; }

    /// <summary>Which output each tree adds to.</summary>
    public int[] TreeOutputs { get; }

    public double[] BaseScores { get; }

    public OutputTransform Transform { get; }

    public double Scale { get; }

    public int OutputCount => BaseScores.Length;

    /// <summary>Node and leaf covers, when the model has them (trained or imported by a Kiln that keeps them).</summary>
    public TreeCovers? Covers { get; init; }

    public int TreeCount => Roots.Length;

    private CompleteTrees? _complete;

    /// <summary>The complete-tree layout prediction uses (built on first use).</summary>
    internal CompleteTrees Complete => _complete ??= CompleteTrees.Create(this);

    private TreeGroups? _groups;

    private Lazy<RankedTrees?>? _ranked;

    /// <summary>The byte-rank layout batch prediction uses when the model fits it (built on first use).</summary>
    internal RankedTrees? Ranked => (_ranked ??= new Lazy<RankedTrees?>(() => RankedTrees.TryCreate(this))).Value;

    /// <summary>The interleaved groups one-row prediction walks (built on first use).</summary>
    internal TreeGroups Groups => _groups ??= TreeGroups.Create(Complete);

    public void Predict(ReadOnlySpan<double> row, Span<double> output)
    {
        if (Ranked is { PredictsRows: true } ranked)
        {
            ranked.SumRow(row, output);
            Finish(output);
            return;
        }
        var outputs = OutputCount;
        for (var k = 0; k < outputs; k++)
        {
            output[k] = 0;
        }
        var complete = Complete;
        var noMissing = !HasNaN(row);
        ref var x = ref MemoryMarshal.GetReference(row);
        ref var depths = ref MemoryMarshal.GetArrayDataReference(complete.Depth);
        var groups = Groups;
        var groupAt = groups.GroupAt;
        var trees = Roots.Length;
        var t = 0;
        while (t < trees)
        {
            var depth = Unsafe.Add(ref depths, t);
            if (depth < 0)
            {
                output[TreeOutputs[t]] += Leaves[~Walk(Roots[t], row)];
                t++;
                continue;
            }
            if (groupAt[t] >= 0)
            {
                // eight trees at once: independent chains of loads hide each other's latency; the sums are added in tree order
                if (noMissing)
                {
                    groups.Walk(t, depth, ref x, TreeOutputs, output);
                }
                else
                {
                    Walk8<CompleteTrees.MaybeMissing>(complete, t, depth, ref x, output);
                }
                t += 8;
                continue;
            }
            if (t + 4 <= trees && Unsafe.Add(ref depths, t + 1) == depth && Unsafe.Add(ref depths, t + 2) == depth
                && Unsafe.Add(ref depths, t + 3) == depth)
            {
                // four trees at once: independent chains of loads hide each other's latency; the sums are added in tree order
                if (noMissing)
                {
                    Walk4<CompleteTrees.Present>(complete, t, depth, ref x, output);
                }
                else
                {
                    Walk4<CompleteTrees.MaybeMissing>(complete, t, depth, ref x, output);
                }
                t += 4;
                continue;
            }
            output[TreeOutputs[t]] += complete.Walk(t, ref x);
            t++;
        }
        Finish(output);
    }

    /// <summary>The reference prediction (node-by-node walk of <see cref="Nodes"/>), which the complete-tree paths must match
    /// exactly; kept for tests.</summary>
    internal void PredictReference(ReadOnlySpan<double> row, Span<double> output)
    {
        var outputs = OutputCount;
        for (var k = 0; k < outputs; k++)
        {
            output[k] = 0;
        }
        for (var t = 0; t < Roots.Length; t++)
        {
            output[TreeOutputs[t]] += Leaves[~Walk(Roots[t], row)];
        }
        Finish(output);
    }

    private static bool HasNaN(ReadOnlySpan<double> row)
    {
        foreach (var v in row)
        {
            if (double.IsNaN(v))
            {
                return true;
            }
        }
        return false;
    }

    private int Walk(int node, ReadOnlySpan<double> row)
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(Nodes);
        while (node >= 0)
        {
            ref var n = ref Unsafe.Add(ref nodes, node);
            node = Next(ref n, row[n.Feature]);
        }
        return node;
    }

    private void Walk8<TStep>(CompleteTrees complete, int t, int depth, ref double x, Span<double> output)
        where TStep : struct, CompleteTrees.IStep
    {
        ref var features = ref MemoryMarshal.GetArrayDataReference(complete.Features);
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(complete.Thresholds);
        ref var missing = ref MemoryMarshal.GetArrayDataReference(complete.MissingLeft);
        ref var nodeBase = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.NodeBase), t);
        nint b0 = nodeBase, b1 = Unsafe.Add(ref nodeBase, 1), b2 = Unsafe.Add(ref nodeBase, 2), b3 = Unsafe.Add(ref nodeBase, 3);
        nint b4 = Unsafe.Add(ref nodeBase, 4), b5 = Unsafe.Add(ref nodeBase, 5), b6 = Unsafe.Add(ref nodeBase, 6), b7 = Unsafe.Add(ref nodeBase, 7);
        nint i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;
        for (var d = 0; d < depth; d++)
        {
            i0 = TStep.Next(i0, Unsafe.Add(ref x, Unsafe.Add(ref features, b0 + i0)), ref thresholds, ref missing, b0 + i0);
            i1 = TStep.Next(i1, Unsafe.Add(ref x, Unsafe.Add(ref features, b1 + i1)), ref thresholds, ref missing, b1 + i1);
            i2 = TStep.Next(i2, Unsafe.Add(ref x, Unsafe.Add(ref features, b2 + i2)), ref thresholds, ref missing, b2 + i2);
            i3 = TStep.Next(i3, Unsafe.Add(ref x, Unsafe.Add(ref features, b3 + i3)), ref thresholds, ref missing, b3 + i3);
            i4 = TStep.Next(i4, Unsafe.Add(ref x, Unsafe.Add(ref features, b4 + i4)), ref thresholds, ref missing, b4 + i4);
            i5 = TStep.Next(i5, Unsafe.Add(ref x, Unsafe.Add(ref features, b5 + i5)), ref thresholds, ref missing, b5 + i5);
            i6 = TStep.Next(i6, Unsafe.Add(ref x, Unsafe.Add(ref features, b6 + i6)), ref thresholds, ref missing, b6 + i6);
            i7 = TStep.Next(i7, Unsafe.Add(ref x, Unsafe.Add(ref features, b7 + i7)), ref thresholds, ref missing, b7 + i7);
        }
        // the leaf of slot i is at leafBase + i − first; the slot is moved, not the reference (a reference outside
        // the array would not follow it when the GC moves it)
        var first = (1 << depth) - 1;
        (i0, i1, i2, i3, i4, i5, i6, i7) = (i0 - first, i1 - first, i2 - first, i3 - first, i4 - first, i5 - first, i6 - first, i7 - first);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(complete.Leaves);
        ref var leafBase = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.LeafBase), t);
        ref var outs = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(TreeOutputs), t);
        output[outs] += Unsafe.Add(ref leaves, leafBase + i0);
        output[Unsafe.Add(ref outs, 1)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 1) + i1);
        output[Unsafe.Add(ref outs, 2)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 2) + i2);
        output[Unsafe.Add(ref outs, 3)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 3) + i3);
        output[Unsafe.Add(ref outs, 4)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 4) + i4);
        output[Unsafe.Add(ref outs, 5)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 5) + i5);
        output[Unsafe.Add(ref outs, 6)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 6) + i6);
        output[Unsafe.Add(ref outs, 7)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, 7) + i7);
    }

    private void Walk4<TStep>(CompleteTrees complete, int t, int depth, ref double x, Span<double> output)
        where TStep : struct, CompleteTrees.IStep
    {
        ref var features = ref MemoryMarshal.GetArrayDataReference(complete.Features);
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(complete.Thresholds);
        ref var missing = ref MemoryMarshal.GetArrayDataReference(complete.MissingLeft);
        ref var nodeBase = ref MemoryMarshal.GetArrayDataReference(complete.NodeBase);
        nint b0 = Unsafe.Add(ref nodeBase, t), b1 = Unsafe.Add(ref nodeBase, t + 1), b2 = Unsafe.Add(ref nodeBase, t + 2), b3 = Unsafe.Add(ref nodeBase, t + 3);
        nint i0 = 0, i1 = 0, i2 = 0, i3 = 0;
        for (var d = 0; d < depth; d++)
        {
            i0 = TStep.Next(i0, Unsafe.Add(ref x, Unsafe.Add(ref features, b0 + i0)), ref thresholds, ref missing, b0 + i0);
            i1 = TStep.Next(i1, Unsafe.Add(ref x, Unsafe.Add(ref features, b1 + i1)), ref thresholds, ref missing, b1 + i1);
            i2 = TStep.Next(i2, Unsafe.Add(ref x, Unsafe.Add(ref features, b2 + i2)), ref thresholds, ref missing, b2 + i2);
            i3 = TStep.Next(i3, Unsafe.Add(ref x, Unsafe.Add(ref features, b3 + i3)), ref thresholds, ref missing, b3 + i3);
        }
        var first = (1 << depth) - 1;
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(complete.Leaves);
        ref var leafBase = ref MemoryMarshal.GetArrayDataReference(complete.LeafBase);
        ref var outs = ref MemoryMarshal.GetArrayDataReference(TreeOutputs);
        output[Unsafe.Add(ref outs, t)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, t) + i0 - first);
        output[Unsafe.Add(ref outs, t + 1)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, t + 1) + i1 - first);
        output[Unsafe.Add(ref outs, t + 2)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, t + 2) + i2 - first);
        output[Unsafe.Add(ref outs, t + 3)] += Unsafe.Add(ref leaves, Unsafe.Add(ref leafBase, t + 3) + i3 - first);
    }

    /// <summary>Predicts rows [<paramref name="start"/>, start + <paramref name="count"/>) of a table through the byte-rank
    /// layout, its float64 columns read in place; false when the model does not have that layout.</summary>
    public bool PredictRows(FeatureView view, int start, int count, double[] buffer, int stride, Span<double> output)
    {
        if (Ranked is not { } ranked)
        {
            return false;
        }
        ranked.Sum(view, start, count, buffer, stride, output);
        FinishRows(output, count);
        return true;
    }

    /// <summary>Applies the base score and transform to <paramref name="count"/> rows of summed leaves.</summary>
    private void FinishRows(Span<double> output, int count)
    {
        var outputs = OutputCount;
        for (var i = 0; i < count; i++)
        {
            Finish(output.Slice(i * outputs, outputs));
        }
    }

    /// <summary>Predicts rows stored column-major, one tree at a time over the block (the tree stays in cache).</summary>
    public void PredictBlock(double[] columns, int stride, int count, Span<double> output)
    {
        var outputs = OutputCount;
        if (Ranked is { } ranked)
        {
            ranked.Sum(columns, stride, count, output);
            FinishRows(output, count);
            return;
        }
        output[..(count * outputs)].Clear();
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(Nodes);
        ref var values = ref MemoryMarshal.GetArrayDataReference(columns);
        var complete = Complete;
        var noMissing = !HasNaNInBlock(columns, stride, count);
        for (var t = 0; t < Roots.Length; t++)
        {
            var root = Roots[t];
            var k = TreeOutputs[t];
            if (root < 0)
            {
                for (var row = 0; row < count; row++)
                {
                    output[(row * outputs) + k] += Leaves[~root];
                }
                continue;
            }
            if (complete.Depth[t] >= 0)
            {
                if (noMissing)
                {
                    PredictComplete<CompleteTrees.Present>(complete, t, ref values, stride, count, output, outputs, k);
                }
                else
                {
                    PredictComplete<CompleteTrees.MaybeMissing>(complete, t, ref values, stride, count, output, outputs, k);
                }
                continue;
            }
            var i = 0;
            for (; i + 4 <= count; i += 4)
            {
                // four rows at once: independent chains keep the core busy while each waits on its loads
                int a = root, b = root, c = root, d = root;
                while ((a | b | c | d) >= 0)
                {
                    a = Next(ref Unsafe.Add(ref nodes, a), i, ref values, stride);
                    b = Next(ref Unsafe.Add(ref nodes, b), i + 1, ref values, stride);
                    c = Next(ref Unsafe.Add(ref nodes, c), i + 2, ref values, stride);
                    d = Next(ref Unsafe.Add(ref nodes, d), i + 3, ref values, stride);
                }
                output[(i * outputs) + k] += Leaves[~Finish(a, i, ref nodes, ref values, stride)];
                output[((i + 1) * outputs) + k] += Leaves[~Finish(b, i + 1, ref nodes, ref values, stride)];
                output[((i + 2) * outputs) + k] += Leaves[~Finish(c, i + 2, ref nodes, ref values, stride)];
                output[((i + 3) * outputs) + k] += Leaves[~Finish(d, i + 3, ref nodes, ref values, stride)];
            }
            for (; i < count; i++)
            {
                output[(i * outputs) + k] += Leaves[~Finish(root, i, ref nodes, ref values, stride)];
            }
        }
        for (var i = 0; i < count; i++)
        {
            Finish(output.Slice(i * outputs, outputs));
        }
    }

    private static bool HasNaNInBlock(double[] columns, int stride, int count)
    {
        for (var start = 0; start + count <= columns.Length; start += stride)
        {
            var part = columns.AsSpan(start, count);
            for (var i = 0; i < part.Length; i++)
            {
                if (double.IsNaN(part[i]))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>One complete-layout tree over the block, eight rows at a time (eight independent chains).</summary>
    private static void PredictComplete<TStep>(CompleteTrees complete, int t, ref double values, int stride, int count, Span<double> output,
        int outputs, int k)
        where TStep : struct, CompleteTrees.IStep
    {
        var depth = complete.Depth[t];
        var nb = complete.NodeBase[t];
        var first = (1 << depth) - 1;
        // per node, feature × stride: row j's value is at offsets[slot] + j (no multiply on the chain)
        ref var offsets = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.OffsetsFor(stride)), nb);
        ref var thresholds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.Thresholds), nb);
        ref var missing = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.MissingLeft), nb);
        // slot i's leaf is at [i − first] from the tree's leaves (offsets, not a reference before the array)
        ref var leaves = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(complete.Leaves), complete.LeafBase[t]);
        ref var outRef = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), k);
        var i = 0;
        for (; i + 8 <= count; i += 8)
        {
            ref var x = ref Unsafe.Add(ref values, i);
            nint a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
            for (var level = 0; level < depth; level++)
            {
                a = TStep.Next(a, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, a)), ref thresholds, ref missing, a);
                b = TStep.Next(b, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, b) + 1), ref thresholds, ref missing, b);
                c = TStep.Next(c, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, c) + 2), ref thresholds, ref missing, c);
                d = TStep.Next(d, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, d) + 3), ref thresholds, ref missing, d);
                e = TStep.Next(e, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, e) + 4), ref thresholds, ref missing, e);
                f = TStep.Next(f, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, f) + 5), ref thresholds, ref missing, f);
                g = TStep.Next(g, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, g) + 6), ref thresholds, ref missing, g);
                h = TStep.Next(h, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, h) + 7), ref thresholds, ref missing, h);
            }
            ref var o = ref Unsafe.Add(ref outRef, i * outputs);
            o += Unsafe.Add(ref leaves, a - first);
            Unsafe.Add(ref o, outputs) += Unsafe.Add(ref leaves, b - first);
            Unsafe.Add(ref o, 2 * outputs) += Unsafe.Add(ref leaves, c - first);
            Unsafe.Add(ref o, 3 * outputs) += Unsafe.Add(ref leaves, d - first);
            Unsafe.Add(ref o, 4 * outputs) += Unsafe.Add(ref leaves, e - first);
            Unsafe.Add(ref o, 5 * outputs) += Unsafe.Add(ref leaves, f - first);
            Unsafe.Add(ref o, 6 * outputs) += Unsafe.Add(ref leaves, g - first);
            Unsafe.Add(ref o, 7 * outputs) += Unsafe.Add(ref leaves, h - first);
        }
        for (; i < count; i++)
        {
            ref var x = ref Unsafe.Add(ref values, i);
            nint a = 0;
            for (var level = 0; level < depth; level++)
            {
                a = CompleteTrees.StepMissing(a, Unsafe.Add(ref x, (nint)Unsafe.Add(ref offsets, a)), Unsafe.Add(ref thresholds, a),
                    Unsafe.Add(ref missing, a));
            }
            Unsafe.Add(ref outRef, i * outputs) += Unsafe.Add(ref leaves, a - first);
        }
    }

    /// <summary>Whether a value sends a row down the left branch of <paramref name="node"/> (as prediction decides).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool GoesLeft(int node, double v)
    {
        ref var n = ref Nodes[node];
        return Next(ref n, v) == n.Left;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(ref FlatNode n, int row, ref double values, int stride) =>
        Next(ref n, Unsafe.Add(ref values, (n.Feature * stride) + row));

    private int Finish(int node, int row, ref FlatNode nodes, ref double values, int stride)
    {
        while (node >= 0)
        {
            node = Next(ref Unsafe.Add(ref nodes, node), row, ref values, stride);
        }
        return node;
    }

    /// <summary>The child a value leads to, without branches for numeric nodes (a NaN compares false, so it goes
    /// left only through the default-left bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(ref FlatNode n, double v)
    {
        if ((n.Info & FlatNode.CategoricalFlag) == 0)
        {
            var left = (v <= n.Threshold) | (double.IsNaN(v) & ((n.Info & FlatNode.DefaultLeftFlag) != 0));
            return Unsafe.Add(ref n.Left, Unsafe.As<bool, byte>(ref left) ^ 1);
        }
        return GoLeftCategorical(ref n, v) ? n.Left : n.Right;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool GoLeftCategorical(ref FlatNode n, double v)
    {
        if (double.IsNaN(v))
        {
            return (n.Info & FlatNode.DefaultLeftFlag) != 0;
        }
        if ((n.Info & FlatNode.CategoricalFlag) == 0)
        {
            return v <= n.Threshold;
        }
        var code = (int)v;
        if ((uint)code >= FeatureBins.MaxCategoricalCodes)
        {
            return (n.Info & FlatNode.DefaultLeftFlag) != 0;
        }
        return ((CategoryBits[(n.Info >> 2) + (code >> 5)] >> (code & 31)) & 1) != 0;
    }

    private void Finish(Span<double> output)
    {
        for (var k = 0; k < output.Length; k++)
        {
            output[k] = BaseScores[k] + (Scale * output[k]);
        }
        switch (Transform)
        {
            case OutputTransform.Sigmoid:
                output[0] = 1 / (1 + Math.Exp(-output[0]));
                break;
            case OutputTransform.Softmax:
                Softmax(output);
                break;
            case OutputTransform.Normalize:
                var sum = 0.0;
                foreach (var p in output)
                {
                    sum += p;
                }
                if (sum > 0)
                {
                    for (var k = 0; k < output.Length; k++)
                    {
                        output[k] /= sum;
                    }
                }
                break;
        }
    }

    internal static void Softmax(Span<double> scores)
    {
        var max = double.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }
        var sum = 0.0;
        for (var k = 0; k < scores.Length; k++)
        {
            scores[k] = Math.Exp(scores[k] - max);
            sum += scores[k];
        }
        for (var k = 0; k < scores.Length; k++)
        {
            scores[k] /= sum;
        }
    }
}
