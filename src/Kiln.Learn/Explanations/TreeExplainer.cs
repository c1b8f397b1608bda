using Kiln.Learn.Model;

namespace Kiln.Learn.Explanations;

/// <summary>
/// Exact path-dependent SHAP values of a tree ensemble (as XGBoost's <c>pred_contribs</c> and LightGBM's
/// <c>pred_contrib</c>): per output, one contribution per feature and the bias (the expected raw score over the training
/// weight), summing to the row's raw score. Built once per model from its covers; thread-safe.
/// </summary>
internal sealed class TreeExplainer
{
    private readonly TreeEnsemble _ensemble;
    private readonly ShapTables _tables;
    private readonly DecisionTables? _decisions;
    private readonly TreeCovers _covers;
    private readonly int _features;
    private readonly double[] _bias;
    private readonly bool _anyPath;
    private readonly bool _dense;

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>How many trees ahead one-row explanation fetches table rows.</summary>
    private const int Ahead = 4;

    /// <param name="ensemble">The trees.</param>
    /// <param name="covers">Their covers.</param>
    /// <param name="features">The model's feature count.</param>
    /// <param name="maxSlots">Trees with more unique features on a path use <see cref="PathShap"/> (tests set 0).</param>
    /// <param name="decisions">Explain shallow trees by <see cref="DecisionTables"/> (tests turn it off to check the other layouts).</param>
    /// <param name="dense">One row at a time, add decision tables' rows by <see cref="DecisionTables.AddDense"/> where it can
    /// (tests turn it off to check the scalar additions).</param>
    public TreeExplainer(TreeEnsemble ensemble, TreeCovers covers, int features, int maxSlots = ShapTables.MaxSlots, bool decisions = true, bool dense = true)
    {
        _ensemble = ensemble;
        _covers = covers;
        _features = features;
        _decisions = decisions && maxSlots > 0 ? new DecisionTables(ensemble, covers, features) : null;
        _tables = new ShapTables(ensemble, covers, maxSlots, _decisions is { } shallow ? shallow.Handles : null);
        _dense = dense && _decisions?.AnyDense == true;
        _bias = [.. ensemble.BaseScores];
        for (var t = 0; t < ensemble.TreeCount; t++)
        {
            _bias[ensemble.TreeOutputs[t]] += ensemble.Scale * MeanValue(ensemble.Roots[t]);
            _anyPath |= _tables.NeedsPath(t) && _decisions?.Handles(t) != true;
        }
    }

    /// <summary>The expected raw score of each output (the bias term).</summary>
    public IReadOnlyList<double> Bias => _bias;

    /// <summary>The cover-weighted mean of the leaves below <paramref name="node"/>: the tree's expected value at its root.</summary>
    private double MeanValue(int node)
    {
        if (node < 0)
        {
            return _ensemble.Leaves[~node];
        }
        var n = _ensemble.Nodes[node];
        var left = Cover(n.Left);
        var right = Cover(n.Right);
        var total = left + right;
        return total > 0
            ? ((MeanValue(n.Left) * left) + (MeanValue(n.Right) * right)) / total
            : (MeanValue(n.Left) + MeanValue(n.Right)) / 2;
    }

    private double Cover(int child) => child < 0 ? _covers.Leaves[~child] : _covers.Nodes[child];

    /// <summary>Writes one row's contributions: per output, <c>features</c> values then the bias.</summary>
    public void Explain(ReadOnlySpan<double> row, Span<double> contributions)
    {
        var width = _features + 1;
        var outputs = _bias.Length;
        contributions[..(outputs * width)].Clear();
        var scratch = _scratch ??= new Scratch();
        var patterns = scratch.Patterns(_tables.MaxTreeNodes);
        var path = _anyPath ? scratch.Path(_ensemble, _covers) : null;
        var second = scratch.Second(outputs * width);
        var outs = _ensemble.TreeOutputs;
        var decisions = _decisions;
        // one row: each shallow tree's table rows are found and fetched a few trees ahead of adding them (one row at a time
        // the tables do not stay in cache, and a tree's additions take less time than a fetch from memory)
        var records = decisions?.MaxRecords ?? 0;
        // the features' sums from the trees AddDense adds, per output (an empty span when it adds none)
        var dense = scratch.Dense(_dense ? outputs * DecisionTables.DenseWidth : 0);
        var ring = decisions is null ? default : scratch.Offsets(records).Span;
        for (var t = 0; t < Ahead && t < outs.Length; t++)
        {
            if (decisions?.Handles(t) == true)
            {
                decisions.Prepare(t, row, ring.Slice((t % Ahead) * records, records));
            }
        }
        for (var t = 0; t < outs.Length; t++)
        {
            var slot = (t % Ahead) * records;
            if (decisions?.Handles(t) == true)
            {
                if (dense.Length > 0 && decisions.Dense(t))
                {
                    decisions.AddDense(t, ring.Slice(slot, records), dense.Slice(outs[t] * DecisionTables.DenseWidth, DecisionTables.DenseWidth));
                }
                else
                {
                    decisions.Add(t, ring.Slice(slot, records), contributions.Slice(outs[t] * width, width), second.Slice(outs[t] * width, width));
                }
                if (t + Ahead < outs.Length && decisions.Handles(t + Ahead))
                {
                    decisions.Prepare(t + Ahead, row, ring.Slice(slot, records));
                }
                continue;
            }
            if (t + Ahead < outs.Length && decisions?.Handles(t + Ahead) == true)
            {
                decisions.Prepare(t + Ahead, row, ring.Slice(slot, records));
            }
            var phi = contributions.Slice(outs[t] * width, _features);
            if (_tables.NeedsPath(t))
            {
                path!.Add(_ensemble.Roots[t], row, phi, _ensemble.Scale);
            }
            else
            {
                _tables.Add(t, row, phi, second.Slice(outs[t] * width, _features), patterns);
            }
        }
        for (var k = 0; k < outputs; k++)
        {
            contributions[(k * width) + _features] = _bias[k];
            if (dense.Length > 0)
            {
                for (var f = 0; f < _features; f++)
                {
                    contributions[(k * width) + f] += dense[(k * DecisionTables.DenseWidth) + f];
                }
            }
        }
        Merge(contributions, second, outputs * width);
    }

    /// <summary>Explains <paramref name="count"/> row-major rows, tree by tree over the block (a tree's table stays in cache).</summary>
    public void Explain(ReadOnlySpan<double> rows, int count, Span<double> contributions)
    {
        var width = _features + 1;
        var outputs = _bias.Length;
        var stride = outputs * width;
        contributions[..(count * stride)].Clear();
        var scratch = _scratch ??= new Scratch();
        var patterns = scratch.Patterns(_tables.MaxTreeNodes);
        var path = _anyPath ? scratch.Path(_ensemble, _covers) : null;
        var second = scratch.Second(count * stride);
        var outs = _ensemble.TreeOutputs;
        for (var t = 0; t < outs.Length; t++)
        {
            var needsPath = _tables.NeedsPath(t);
            var shallow = _decisions?.Handles(t) == true;
            for (var i = 0; i < count; i++)
            {
                var row = rows.Slice(i * _features, _features);
                var phi = contributions.Slice((i * stride) + (outs[t] * width), _features);
                if (shallow)
                {
                    _decisions!.Add(t, row, contributions.Slice((i * stride) + (outs[t] * width), width), second.Slice((i * stride) + (outs[t] * width), width));
                }
                else if (needsPath)
                {
                    path!.Add(_ensemble.Roots[t], row, phi, _ensemble.Scale);
                }
                else
                {
                    _tables.Add(t, row, phi, second.Slice((i * stride) + (outs[t] * width), _features), patterns);
                }
            }
        }
        Merge(contributions, second, count * stride);
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < outputs; k++)
            {
                contributions[(i * stride) + (k * width) + _features] = _bias[k];
            }
        }
    }

    /// <summary>Adds the second accumulator's sums in (its bias slots are 0).</summary>
    private static void Merge(Span<double> contributions, Span<double> second, int length)
    {
        for (var i = 0; i < length; i++)
        {
            contributions[i] += second[i];
        }
    }

    /// <summary>Per-thread working memory.</summary>
    private sealed class Scratch
    {
        private int[] _patterns = [];
        private int[] _offsets = [];

        /// <summary><see cref="Ahead"/> buffers of table offsets, one per tree in flight.</summary>
        public Memory<int> Offsets(int size)
        {
            if (_offsets.Length < Ahead * size)
            {
                _offsets = new int[Ahead * size];
            }
            return _offsets.AsMemory(0, Ahead * size);
        }
        private double[] _second = [];
        private double[] _dense = [];

        /// <summary>The dense sums, cleared.</summary>
        public Span<double> Dense(int size) => Cleared(ref _dense, size);

        /// <summary>The second accumulator, cleared.</summary>
        public Span<double> Second(int size) => Cleared(ref _second, size);

        /// <summary>The first <paramref name="size"/> values of <paramref name="buffer"/> (grown when short), zeroed.</summary>
        private static Span<double> Cleared(ref double[] buffer, int size)
        {
            if (buffer.Length < size)
            {
                buffer = new double[size];
            }
            var span = buffer.AsSpan(0, size);
            span.Clear();
            return span;
        }
        private PathShap? _path;
        private TreeEnsemble? _pathFor;

        public Span<int> Patterns(int size)
        {
            if (_patterns.Length < size)
            {
                _patterns = new int[size];
            }
            return _patterns;
        }

        public PathShap Path(TreeEnsemble ensemble, TreeCovers covers)
        {
            if (!ReferenceEquals(_pathFor, ensemble))
            {
                _path = new PathShap(ensemble, covers);
                _pathFor = ensemble;
            }
            return _path!;
        }
    }
}
