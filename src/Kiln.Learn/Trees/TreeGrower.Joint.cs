using Kiln.Learn.Diagnostics;

namespace Kiln.Learn.Trees;

internal sealed partial class TreeGrower
{
    private QuantizedGradients[] _jointPacks = [];
    private long[][] _jointHists = [];
    private double[] _jointG = [];

    private readonly record struct JointNode(int Begin, int End, int Depth, int Parent, bool IsLeft);

    /// <summary>Grows one tree for several targets at once (a multiclass forest: one target per class indicator): each split
    /// maximises the sum of the targets' gains (<see cref="SplitFinder.FindJoint"/>), so the tree's leaves hold the rows of
    /// each class together. The targets' <paramref name="gradHess"/> must share their hessians (the forest's are all 1).
    /// Nodes are grown depth-first (<see cref="GrowerSettings.MaxLeaves"/> is not used); each node builds its own histograms
    /// (one per target, over the node's sampled features) or, when small, sorts its rows instead. Leaf values are left at
    /// zero: the caller sets them per target from <see cref="GrownTree.LeafRows"/>.</summary>
    public GrownTree GrowJoint(ReadOnlySpan<int> rows, float[][] gradHess, int[] features, Random rng)
    {
        var targets = gradHess.Length;
        EnsureCapacity(rows.Length);
        rows.CopyTo(_rows);
        _rowsConsecutive = false;
        if (_jointPacks.Length != targets)
        {
            _jointPacks = [.. Enumerable.Range(0, targets).Select(_ => new QuantizedGradients(_matrix.RowCount))];
            _jointHists = new long[targets][];
            _jointG = new double[targets];
        }
        var tq = PhaseTimer.Start();
        for (var k = 0; k < targets; k++)
        {
            // rounded to nearest: equal gradients stay equal, so a pure node shows no gain
            _jointPacks[k].Quantize(rows, gradHess[k], 0, _threads, stochastic: false);
        }
        PhaseTimer.Stop(Phase.Histogram, tq);
        var tree = new GrownTree();
        var perNodeFeatures = _settings.NodeFeatureFraction < 1;
        var stack = new Stack<JointNode>();
        stack.Push(new JointNode(0, rows.Length, 0, -1, false));
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            var best = EvaluateJoint(node, features, perNodeFeatures, rng);
            if (best.Gain <= 0)
            {
                var leaf = tree.LeafValues.Count;
                tree.LeafValues.Add(0);
                tree.LeafRows.Add((node.Begin, node.End));
                tree.LeafCovers.Add(node.End - node.Begin);
                Link(tree, node.Parent, node.IsLeft, ~leaf);
                continue;
            }
            var t0 = PhaseTimer.Start();
            var mid = PartitionCentered(ref best, node.Begin, node.End);
            PhaseTimer.Stop(Phase.Partition, t0);
            var index = AddSplit(tree, best, node.Parent, node.IsLeft, node.End - node.Begin);
            stack.Push(new JointNode(node.Begin, mid, node.Depth + 1, index, true));
            stack.Push(new JointNode(mid, node.End, node.Depth + 1, index, false));
        }
        return tree;
    }

    /// <summary>The node's best joint split, or <see cref="SplitCandidate.None"/> when it may not be split.</summary>
    private SplitCandidate EvaluateJoint(JointNode node, int[] features, bool perNodeFeatures, Random rng)
    {
        var count = node.End - node.Begin;
        if ((_settings.MaxDepth > 0 && node.Depth >= _settings.MaxDepth) || count < 2 * _settings.MinSamplesLeaf)
        {
            return SplitCandidate.None;
        }
        // the node's exact sums per target, from the packed words
        var rows = _rows.AsSpan(node.Begin, count);
        var targets = _jointPacks.Length;
        long weight = 0;
        for (var k = 0; k < targets; k++)
        {
            var values = _jointPacks[k].Values;
            long sum = 0;
            foreach (var r in rows)
            {
                sum += values[r];
            }
            _jointG[k] = _jointPacks[k].Gradient(sum);
            weight = k == 0 ? sum : weight;
        }
        var h = _jointPacks[0].Hessian(weight);
        if (h < 2 * _settings.MinChildWeight)
        {
            return SplitCandidate.None;
        }
        var t0 = PhaseTimer.Start();
        if (count <= SplitFinder.SortedMaxRows)
        {
            // features constant in a small node do not count against its share (as in Grow)
            _draw.Reset(features, rng);
            var want = perNodeFeatures ? NodeFeatureCount(features) : features.Length;
            var sorted = _finder.FindSortedJoint(_matrix.Bins, _matrix.FeatureCount, rows, _jointPacks, _draw, want, _jointG, h);
            PhaseTimer.Stop(Phase.SplitFind, t0);
            return sorted;
        }
        var use = perNodeFeatures ? SampleNodeFeatures(features, rng) : features;
        for (var k = 0; k < targets; k++)
        {
            _jointHists[k] = Rent();
            BuildHistogram(_jointHists[k], node.Begin, count, use, _jointPacks[k].Values);
        }
        PhaseTimer.Stop(Phase.Histogram, t0);
        var t1 = PhaseTimer.Start();
        var best = _finder.FindJoint(_jointHists, _jointPacks, use, _jointG, h, count);
        PhaseTimer.Stop(Phase.SplitFind, t1);
        for (var k = 0; k < targets; k++)
        {
            _pool.Push(_jointHists[k]);
        }
        return best;
    }
}
