using System.Runtime.InteropServices;

namespace Kiln.Learn.Trees;

/// <summary>An internal node of a tree being grown, in bin space.</summary>
internal struct SplitNode
{
    public int Feature;
    public int ThresholdBin;
    public bool Categorical;
    public bool DefaultLeft;
    public BinSet LeftBins;
    public int Left;
    public int Right;
    public double Gain;

    /// <summary>The training weight (hessian sum) that reached the node: TreeSHAP weighs its branches by it.</summary>
    public double Cover;
}

/// <summary>A tree in bin space as the grower leaves it: internal nodes (node 0 is the root), leaves, and each
/// leaf's slice of the grower's row array. A child index below 0 is a leaf: ~index.</summary>
internal sealed class GrownTree
{
    public List<SplitNode> Nodes { get; } = [];

    public List<double> LeafValues { get; } = [];

    public List<(int Begin, int End)> LeafRows { get; } = [];

    /// <summary>Each leaf's training weight (hessian sum; row count for a forest's joint trees), parallel to <see cref="LeafValues"/>.</summary>
    public List<double> LeafCovers { get; } = [];

    /// <summary>A tree with the same nodes and leaf rows (and, until they are set, the same leaf values).</summary>
    public GrownTree Copy()
    {
        var copy = new GrownTree();
        copy.Nodes.AddRange(Nodes);
        copy.LeafValues.AddRange(LeafValues);
        copy.LeafRows.AddRange(LeafRows);
        copy.LeafCovers.AddRange(LeafCovers);
        return copy;
    }

    /// <summary>The leaf that the row with bins <paramref name="rowBins"/> lands in.</summary>
    public int FindLeaf(ReadOnlySpan<byte> rowBins)
    {
        if (Nodes.Count == 0)
        {
            return 0;
        }
        var nodes = CollectionsMarshal.AsSpan(Nodes);
        var node = 0;
        while (true)
        {
            ref var split = ref nodes[node];
            var next = split.LeftBins.Contains(rowBins[split.Feature]) ? split.Left : split.Right;
            if (next < 0)
            {
                return ~next;
            }
            node = next;
        }
    }
}
