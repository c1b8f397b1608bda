using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    public int TreeCount => Roots.Length;

    public void Predict(ReadOnlySpan<double> row, Span<double> output)
    {
        var outputs = OutputCount;
        for (var k = 0; k < outputs; k++)
        {
            output[k] = 0;
        }
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(Nodes);
        for (var t = 0; t < Roots.Length; t++)
        {
            var node = Roots[t];
            while (node >= 0)
            {
                ref var n = ref Unsafe.Add(ref nodes, node);
                node = Next(ref n, row[n.Feature]);
            }
            output[TreeOutputs[t]] += Leaves[~node];
        }
        Finish(output);
    }

    /// <summary>Predicts rows stored column-major, one tree at a time over the block (the tree stays in cache).</summary>
    public void PredictBlock(double[] columns, int stride, int count, Span<double> output)
    {
        var outputs = OutputCount;
        output[..(count * outputs)].Clear();
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(Nodes);
        ref var values = ref MemoryMarshal.GetArrayDataReference(columns);
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
