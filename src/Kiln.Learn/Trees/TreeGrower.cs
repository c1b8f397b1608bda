using Kiln.Learn.Diagnostics;

namespace Kiln.Learn.Trees;

/// <summary>Grows one regression tree on (gradient, hessian) pairs over a binned matrix: histograms per node (the smaller
/// child built, the larger one by subtraction from its parent), rows partitioned in place by index, nodes expanded
/// best-first when leaves are limited and depth-first otherwise. Reused across trees; not thread-safe.</summary>
internal sealed partial class TreeGrower
{
    private const int ParallelRows = 32_768;

    /// <summary>Nodes with at least this many rows build their histogram on all threads (a 30-feature histogram of a few
    /// thousand rows already outweighs the cost of starting the threads and adding up their histograms).</summary>
    private const int ParallelHistogramRows = 6_144;

    /// <summary>Nodes with at least this many rows are partitioned on all threads.</summary>
    private const int ParallelPartitionRows = 16_384;

    private readonly BinnedMatrix _matrix;
    private readonly FeatureBins[] _bins;
    private readonly GrowerSettings _settings;
    private readonly SplitFinder _finder;
    private readonly int _threads;
    private readonly Stack<long[]> _pool = new();
    private readonly long[][] _threadHists;
    private readonly QuantizedGradients _packed;
    private int[] _rows = [];
    private int[] _scratchRight = [];
    private int[] _scratchLeft = [];
    private int[] _nodeUse = [];
    private readonly FeatureDraw _draw = new();
    private bool _rowsConsecutive;

    public TreeGrower(BinnedMatrix matrix, FeatureBins[] bins, GrowerSettings settings, int threads)
    {
        _matrix = matrix;
        _bins = bins;
        _settings = settings;
        _finder = new SplitFinder(settings, bins);
        _threads = Math.Max(1, threads);
        _threadHists = new long[_threads][];
        _packed = new QuantizedGradients(matrix.RowCount);
        var t0 = PhaseTimer.Start();
        matrix.PrepareColumns(_threads);
        PhaseTimer.Stop(Phase.Binning, t0);
    }

    /// <summary>The row indices, grouped by leaf after <see cref="Grow"/> (see <see cref="GrownTree.LeafRows"/>).</summary>
    public int[] Rows => _rows;

    public SplitFinder Finder => _finder;

    private sealed class Pending
    {
        public int Begin;
        public int End;
        public int Depth;
        public double G;
        public double H;
        public long[]? Hist;
        public SplitCandidate Best = SplitCandidate.None;
        public int Parent = -1;
        public bool IsLeft;

        /// <summary>The range the node's leaves must stay in (monotone constraints above it).</summary>
        public double Lower = double.NegativeInfinity;
        public double Upper = double.PositiveInfinity;

        /// <summary>The interaction groups still open to it (holding every feature split on above it); null = unconstrained.</summary>
        public int[]? Groups;

        public int Count => End - Begin;
    }

    /// <summary>Grows a tree over <paramref name="rows"/> (indices may repeat: bootstrap) using <paramref name="features"/>;
    /// <paramref name="gradHess"/> holds interleaved float (gradient, hessian) per row of the matrix.</summary>
    /// <param name="rows">The tree's rows.</param>
    /// <param name="gradHess">Interleaved (gradient, hessian) per row of the matrix.</param>
    /// <param name="features">The features the tree may split on.</param>
    /// <param name="rng">The tree's random stream.</param>
    /// <param name="leafOf">When given (depth-wise growth with a depth limit, each row in the tree once): a split whose
    /// children are at the depth limit is not partitioned; each of its rows' leaves is written here instead (by row
    /// index), and those two leaves get empty <see cref="GrownTree.LeafRows"/>. The tree is the same either way; the
    /// last level's partition — a sixth of them at depth 6 — and a later pass to find the rows' leaves are saved.</param>
    public GrownTree Grow(ReadOnlySpan<int> rows, float[] gradHess, int[] features, Random rng, ushort[]? leafOf = null)
    {
        EnsureCapacity(rows.Length);
        rows.CopyTo(_rows);
        var tree = new GrownTree();
        var perNodeFeatures = _settings.NodeFeatureFraction < 1;
        var tq = PhaseTimer.Start();
        var (g, h) = _packed.Quantize(rows, gradHess, _settings.StochasticRounding ? (ulong)rng.NextInt64() : 0, _threads,
            _settings.StochasticRounding);
        PhaseTimer.Stop(Phase.Histogram, tq);
        // stable partitions keep any node's rows in order: a node spanning a run of indices is that run
        _rowsConsecutive = _packed.RowsConsecutive;
        var root = new Pending
        {
            Begin = 0, End = rows.Length, Depth = 0, G = g, H = h,
            Groups = _settings.InteractionGroups is { } groups ? [.. Enumerable.Range(0, groups.Length)] : null,
        };
        var bestFirst = _settings.MaxLeaves > 0;
        var heap = new PriorityQueue<Pending, double>();
        var stack = new Stack<Pending>();
        var leaves = 1;
        if (CanSplit(root))
        {
            Evaluate(root, features, perNodeFeatures, rng, buildHist: true);
        }
        Push(root);
        while (bestFirst ? heap.Count > 0 : stack.Count > 0)
        {
            var node = bestFirst ? heap.Dequeue() : stack.Pop();
            if (node.Best.Gain <= 0 || (bestFirst && leaves >= _settings.MaxLeaves))
            {
                MakeLeaf(tree, node);
                continue;
            }
            var best = node.Best;
            var t0 = PhaseTimer.Start();
            if (leafOf is not null && !bestFirst && _settings.MaxDepth > 0 && node.Depth + 1 >= _settings.MaxDepth)
            {
                // both children are leaves: numbered as the stack would pop them (right, then left)
                var split = AddSplit(tree, best, node.Parent, node.IsLeft, node.H);
                var rightLeaf = tree.LeafValues.Count;
                var (leftRange, rightRange) = ChildRanges(node, best);
                tree.LeafValues.Add(Math.Clamp(_finder.LeafValue(node.G - best.LeftG, node.H - best.LeftH), rightRange.Lower, rightRange.Upper));
                tree.LeafValues.Add(Math.Clamp(_finder.LeafValue(best.LeftG, best.LeftH), leftRange.Lower, leftRange.Upper));
                tree.LeafCovers.Add(node.H - best.LeftH);
                tree.LeafCovers.Add(best.LeftH);
                tree.LeafRows.Add((node.Begin, node.Begin));
                tree.LeafRows.Add((node.Begin, node.Begin));
                Link(tree, split, isLeft: false, ~rightLeaf);
                Link(tree, split, isLeft: true, ~(rightLeaf + 1));
                AssignLeaves(node.Begin, node.End, best.Feature, best.LeftBins, (ushort)(rightLeaf + 1), (ushort)rightLeaf, leafOf);
                PhaseTimer.Stop(Phase.Partition, t0);
                Release(node);
                leaves++;
                continue;
            }
            var mid = PartitionCentered(ref best, node.Begin, node.End);
            PhaseTimer.Stop(Phase.Partition, t0);
            var index = AddSplit(tree, best, node.Parent, node.IsLeft, node.H);
            var (leftBounds, rightBounds) = ChildRanges(node, best);
            var childGroups = ChildGroups(node, best.Feature);
            var left = new Pending
            {
                Begin = node.Begin, End = mid, Depth = node.Depth + 1, G = best.LeftG, H = best.LeftH, Parent = index, IsLeft = true,
                Lower = leftBounds.Lower, Upper = leftBounds.Upper, Groups = childGroups,
            };
            var right = new Pending
            {
                Begin = mid, End = node.End, Depth = node.Depth + 1, G = node.G - best.LeftG, H = node.H - best.LeftH, Parent = index,
                Lower = rightBounds.Lower, Upper = rightBounds.Upper, Groups = childGroups,
            };
            leaves++;
            ExpandChildren(node, left, right, features, perNodeFeatures, rng);
            Push(left);
            Push(right);
        }
        return tree;

        void Push(Pending p)
        {
            if (bestFirst)
            {
                heap.Enqueue(p, -p.Best.Gain);
            }
            else
            {
                stack.Push(p);
            }
        }
    }

    private SplitCandidate FindTimed(long[] hist, int[] features, Pending node)
    {
        var t0 = PhaseTimer.Start();
        var best = _finder.Find(hist, _packed, Allowed(node, features), node.G, node.H, node.Count, node.Lower, node.Upper);
        PhaseTimer.Stop(Phase.SplitFind, t0);
        return best;
    }

    /// <summary>The value ranges of a split's children: the node's own, narrowed at the midpoint of the children's values
    /// when the split's feature is monotone (the left child below it for +1, above it for −1).</summary>
    private ((double Lower, double Upper) Left, (double Lower, double Upper) Right) ChildRanges(Pending node, in SplitCandidate best)
    {
        var range = (node.Lower, node.Upper);
        var sign = _settings.Monotone is { } monotone ? monotone[best.Feature] : 0;
        if (sign == 0)
        {
            return (range, range);
        }
        var left = Math.Clamp(_finder.LeafValue(best.LeftG, best.LeftH), node.Lower, node.Upper);
        var right = Math.Clamp(_finder.LeafValue(node.G - best.LeftG, node.H - best.LeftH), node.Lower, node.Upper);
        var mid = (left + right) / 2;
        return sign > 0 ? ((node.Lower, mid), (mid, node.Upper)) : ((mid, node.Upper), (node.Lower, mid));
    }

    /// <summary>The interaction groups open below a split on <paramref name="feature"/>: those of the node that hold it.</summary>
    private int[]? ChildGroups(Pending node, int feature) =>
        node.Groups is null ? null : [.. node.Groups.Where(g => _settings.InteractionGroups![g].Contains(feature))];

    /// <summary>The features a node may split on: all of <paramref name="features"/>, or under interaction constraints those
    /// in a group still open to it.</summary>
    private int[] Allowed(Pending node, int[] features)
    {
        if (node.Groups is null)
        {
            return features;
        }
        var groups = _settings.InteractionGroups!;
        return [.. features.Where(f => node.Groups.Any(g => groups[g].Contains(f)))];
    }

    private bool CanSplit(Pending node) =>
        (_settings.MaxDepth <= 0 || node.Depth < _settings.MaxDepth)
        && node.Count >= 2 * _settings.MinSamplesLeaf
        && node.H >= 2 * _settings.MinChildWeight;

    private void ExpandChildren(Pending parent, Pending left, Pending right, int[] features,
        bool perNodeFeatures, Random rng)
    {
        var splitLeft = CanSplit(left);
        var splitRight = CanSplit(right);
        if (perNodeFeatures || parent.Hist is null)
        {
            Release(parent);
            if (splitLeft)
            {
                Evaluate(left, features, perNodeFeatures, rng, buildHist: true);
            }
            if (splitRight)
            {
                Evaluate(right, features, perNodeFeatures, rng, buildHist: true);
            }
            return;
        }
        if (!splitLeft && !splitRight)
        {
            Release(parent);
            return;
        }
        var (small, large) = left.Count <= right.Count ? (left, right) : (right, left);
        small.Hist = Rent();
        var t0 = PhaseTimer.Start();
        BuildHistogram(small, features);
        if (CanSplit(large))
        {
            HistogramKernel.Subtract(parent.Hist, small.Hist, features);
            PhaseTimer.Stop(Phase.Histogram, t0);
            large.Hist = parent.Hist;
            parent.Hist = null;
            large.Best = FindTimed(large.Hist, features, large);
        }
        else
        {
            PhaseTimer.Stop(Phase.Histogram, t0);
            Release(parent);
        }
        if (CanSplit(small))
        {
            small.Best = FindTimed(small.Hist, features, small);
        }
        else
        {
            Release(small);
        }
    }

    private void Evaluate(Pending node, int[] features, bool perNodeFeatures, Random rng, bool buildHist)
    {
        if (perNodeFeatures && node.Count <= SplitFinder.SortedMaxRows)
        {
            // a small node of a forest tree: no histogram (see SplitFinder.FindSorted), and features constant in it do
            // not count against the node's share
            var t1 = PhaseTimer.Start();
            _draw.Reset(features, rng);
            node.Best = _finder.FindSorted(_matrix.Bins, _matrix.FeatureCount, _rows.AsSpan(node.Begin, node.Count), _packed, _draw,
                NodeFeatureCount(features), node.G, node.H);
            PhaseTimer.Stop(Phase.SplitFind, t1);
            return;
        }
        var use = perNodeFeatures ? SampleNodeFeatures(features, rng) : features;
        if (buildHist)
        {
            node.Hist = Rent();
            var t0 = PhaseTimer.Start();
            BuildHistogram(node, use, allFeatures: !perNodeFeatures && use.Length == _matrix.FeatureCount);
            PhaseTimer.Stop(Phase.Histogram, t0);
        }
        node.Best = FindTimed(node.Hist!, use, node);
        if (perNodeFeatures)
        {
            Release(node);
        }
    }

    private int NodeFeatureCount(int[] features) => Math.Max(1, (int)Math.Round(features.Length * _settings.NodeFeatureFraction));

    /// <summary>The node's share of <paramref name="features"/>, drawn without replacement (in a reused array: a node's
    /// features are used only while it is evaluated).</summary>
    private int[] SampleNodeFeatures(int[] features, Random rng)
    {
        var k = NodeFeatureCount(features);
        if (_nodeUse.Length != k)
        {
            _nodeUse = new int[k];
        }
        _draw.Reset(features, rng);
        for (var i = 0; i < k; i++)
        {
            _draw.TryNext(out _nodeUse[i]);
        }
        return _nodeUse;
    }

    private void MakeLeaf(GrownTree tree, Pending node)
    {
        Release(node);
        var leaf = tree.LeafValues.Count;
        tree.LeafValues.Add(Math.Clamp(_finder.LeafValue(node.G, node.H), node.Lower, node.Upper));
        tree.LeafRows.Add((node.Begin, node.End));
        tree.LeafCovers.Add(node.H);
        Link(tree, node, ~leaf);
    }

    private static void Link(GrownTree tree, Pending node, int child) => Link(tree, node.Parent, node.IsLeft, child);

    /// <summary>Adds <paramref name="best"/> as the next internal node, linked from its parent; returns its index.</summary>
    private static int AddSplit(GrownTree tree, in SplitCandidate best, int parent, bool isLeft, double cover)
    {
        var index = tree.Nodes.Count;
        tree.Nodes.Add(new SplitNode
        {
            Feature = best.Feature, ThresholdBin = best.ThresholdBin, Categorical = best.Categorical,
            DefaultLeft = best.DefaultLeft, LeftBins = best.LeftBins, Gain = best.Gain, Cover = cover,
        });
        Link(tree, parent, isLeft, index);
        return index;
    }

    private static void Link(GrownTree tree, int parent, bool isLeft, int child)
    {
        if (parent < 0)
        {
            return;
        }
        var nodes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tree.Nodes);
        if (isLeft)
        {
            nodes[parent].Left = child;
        }
        else
        {
            nodes[parent].Right = child;
        }
    }

    private long[] Rent() => _pool.Count > 0 ? _pool.Pop() : new long[_matrix.FeatureCount * FeatureBins.MaxBins];

    private void Release(Pending node)
    {
        if (node.Hist is not null)
        {
            _pool.Push(node.Hist);
            node.Hist = null;
        }
    }

    private void EnsureCapacity(int rows)
    {
        if (_rows.Length < rows)
        {
            _rows = new int[rows];
            _scratchRight = new int[rows];
            _scratchLeft = _threads > 1 ? new int[rows] : [];
        }
    }
}
