using System.Collections.Concurrent;
using System.Globalization;
using Kiln.Learn.Data;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Forest;

/// <summary>One forest fit: per-output targets, trees grown in parallel batches, then added in tree order (so the model,
/// the out-of-bag votes and the progress reports do not depend on the thread count).</summary>
internal sealed class ForestRun
{
    private readonly ForestOptions _options;
    private readonly ModelSchema _schema;
    private readonly FeatureBins[] _bins;
    private readonly BinnedMatrix _matrix;
    private readonly double[] _y;
    private readonly int _threads;
    private readonly int _outputs;
    private readonly double[][] _targets;
    private readonly float[][] _gradHess;
    private readonly GrowerSettings _settings;
    private readonly ConcurrentBag<Worker> _workers = [];

    private readonly double[]? _weights;

    public ForestRun(ForestOptions options, ModelSchema schema, FeatureBins[] bins, BinnedMatrix matrix, double[] y, int threads, double[]? weights = null)
    {
        _weights = weights;
        _options = options;
        _schema = schema;
        _bins = bins;
        _matrix = matrix;
        _y = y;
        _threads = threads;
        _outputs = schema.OutputCount;
        _targets = new double[_outputs][];
        _gradHess = new float[_outputs][];
        for (var k = 0; k < _outputs; k++)
        {
            _targets[k] = Target(k);
            _gradHess[k] = GradHess(_targets[k], weights);
        }
        var features = matrix.FeatureCount;
        _settings = new GrowerSettings
        {
            MaxDepth = options.MaxDepth, MaxLeaves = 0, MinChildWeight = 0, MinSamplesLeaf = options.MinSamplesLeaf,
            Lambda = 0, Alpha = 0, Gamma = 0, LeafScale = 1, StochasticRounding = false, MinCategoryRows = options.MinCategoryRows,
            CenterThresholds = true,
            NodeFeatureFraction = (double)options.FeaturesPerSplit(features) / features,
        };
    }

    private sealed record Worker(TreeGrower Grower, int[] Counts, int[] Rows);

    private sealed record GrownIteration(GrownTree[] Trees, byte[]? InBag);

    public ForestModel Train(BinnedMatrix? validMatrix, double[]? validY, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var builder = new TreeEnsembleBuilder(_bins);
        var oob = _options.Bootstrap ? new ForestVotes(_schema, _y, _threads) : null;
        var valid = validMatrix is null ? null : new ForestVotes(_schema, validY!, _threads);
        var gain = new double[_schema.Features.Count];
        var splits = new int[gain.Length];
        var total = _options.Trees;
        // trees take uneven times: a batch of several per thread keeps both threads busy until the batch's last tree
        var batch = Math.Max(1, 8 * _threads);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken };
        for (var start = 0; start < total; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var grown = new GrownIteration[Math.Min(batch, total - start)];
            Parallel.For(0, grown.Length, parallel, i => grown[i] = GrowIteration(start + i));
            for (var i = 0; i < grown.Length; i++)
            {
                // a cancel during the batch stops before the next tree is taken in (and reported)
                cancellationToken.ThrowIfCancellationRequested();
                var (trees, inBag) = grown[i];
                for (var k = 0; k < _outputs; k++)
                {
                    builder.Add(trees[k], k);
                }
                // a multiclass iteration's trees share their splits: counted once
                foreach (var item in TreeModel.Importances(_schema, trees.Take(1)).Select((v, f) => (v, f)))
                {
                    gain[item.f] += item.v.Gain;
                    splits[item.f] += item.v.Splits;
                }
                // the running losses cost a pass over every row per tree: only when someone listens
                var withLoss = progress is not null;
                var oobLoss = oob?.Add(trees, _matrix, inBag, withLoss) ?? double.NaN;
                double? validLoss = valid?.Add(trees, validMatrix!, null, withLoss);
                progress?.Report(new TrainingProgress(start + i + 1, total, oobLoss, validLoss));
            }
        }
        var transform = _schema.Task == TaskKind.MulticlassClassification ? OutputTransform.Normalize : OutputTransform.Identity;
        var ensemble = builder.Build(new double[_outputs], transform, 1.0 / total);
        var oobScore = oob?.Score() ?? double.NaN;
        var properties = new Dictionary<string, string>
        {
            ["trees"] = total.ToString(CultureInfo.InvariantCulture),
            ["features_per_split"] = _options.FeaturesPerSplit(_matrix.FeatureCount).ToString(CultureInfo.InvariantCulture),
        };
        if (!double.IsNaN(oobScore))
        {
            properties["oob_score"] = oobScore.ToString("R", CultureInfo.InvariantCulture);
        }
        var importance = _schema.Features.Select((f, i) => new FeatureImportance(f.Name, gain[i], splits[i])).ToArray();
        return new ForestModel(_schema, ensemble, importance) { Properties = properties, OutOfBagScore = oobScore };
    }

    /// <summary>Grows iteration <paramref name="t"/>'s trees (one per output) on its own bootstrap sample and random stream.</summary>
    private GrownIteration GrowIteration(int t)
    {
        if (!_workers.TryTake(out var worker))
        {
            var n = _matrix.RowCount;
            worker = new Worker(new TreeGrower(_matrix, _bins, _settings, 1), new int[n], new int[n]);
        }
        try
        {
            var rng = new Random(TreeSeed(_options.Seed, t));
            var (rows, inBag) = _options.Bootstrap ? Bootstrap(worker, rng) : (AllRows(worker), null);
            var allFeatures = Enumerable.Range(0, _matrix.FeatureCount).ToArray();
            var trees = new GrownTree[_outputs];
            if (_outputs > 1)
            {
                // multiclass: one tree split on all classes at once (the Gini decrease), its leaves' class frequencies
                // stored as one tree per class with the same shape
                var shared = worker.Grower.GrowJoint(rows, _gradHess, allFeatures, rng);
                for (var k = 0; k < _outputs; k++)
                {
                    trees[k] = k == 0 ? shared : shared.Copy();
                    SetLeafMeans(trees[k], worker.Grower.Rows, _targets[k], _weights);
                }
                return new GrownIteration(trees, inBag);
            }
            trees[0] = worker.Grower.Grow(rows, _gradHess[0], allFeatures, rng);
            SetLeafMeans(trees[0], worker.Grower.Rows, _targets[0], _weights);
            return new GrownIteration(trees, inBag);
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>Draws rows with replacement and lists them in row order (repeats kept), which keeps histogram passes
    /// walking the binned matrix forwards.</summary>
    private (int[] Rows, byte[] InBag) Bootstrap(Worker worker, Random rng)
    {
        var n = _matrix.RowCount;
        var draws = Math.Max(1, (int)Math.Round(n * _options.MaxSamples));
        var counts = worker.Counts;
        Array.Clear(counts);
        for (var i = 0; i < draws; i++)
        {
            counts[rng.Next(n)]++;
        }
        var inBag = new byte[n];
        var rows = new int[draws];
        var at = 0;
        for (var r = 0; r < n; r++)
        {
            var c = counts[r];
            if (c > 0)
            {
                inBag[r] = 1;
                rows.AsSpan(at, c).Fill(r);
                at += c;
            }
        }
        return (rows, inBag);
    }

    private static int[] AllRows(Worker worker)
    {
        for (var i = 0; i < worker.Rows.Length; i++)
        {
            worker.Rows[i] = i;
        }
        return worker.Rows;
    }

    /// <summary>Leaf values as exact means (in double) of the target over the leaf's rows, repeats counted, weighted by the
    /// rows' weights when there are any.</summary>
    private static void SetLeafMeans(GrownTree tree, int[] rows, double[] target, double[]? weights)
    {
        for (var leaf = 0; leaf < tree.LeafValues.Count; leaf++)
        {
            var (begin, end) = tree.LeafRows[leaf];
            if (end <= begin)
            {
                continue;
            }
            double sum = 0;
            if (weights is not null)
            {
                double total = 0;
                for (var i = begin; i < end; i++)
                {
                    sum += weights[rows[i]] * target[rows[i]];
                    total += weights[rows[i]];
                }
                tree.LeafValues[leaf] = total > 0 ? sum / total : 0;
                continue;
            }
            for (var i = begin; i < end; i++)
            {
                sum += target[rows[i]];
            }
            tree.LeafValues[leaf] = sum / (end - begin);
        }
    }

    private double[] Target(int k)
    {
        if (_schema.Task == TaskKind.Regression)
        {
            return _y;
        }
        var cls = _schema.Task == TaskKind.BinaryClassification ? 1 : k;
        return [.. _y.Select(v => (int)v == cls ? 1.0 : 0.0)];
    }

    /// <summary>Squared-error gradients of the centred target (g = mean - y, h = 1; both times the row's weight when
    /// there are weights): the grower's gain is then the (weighted) variance reduction, and centring keeps the float sums
    /// accurate.</summary>
    private static float[] GradHess(double[] target, double[]? weights)
    {
        var mean = weights is null ? target.Average() : target.Select((y, i) => y * weights[i]).Sum() / weights.Sum();
        var gh = GC.AllocateUninitializedArray<float>(2 * target.Length);
        for (var i = 0; i < target.Length; i++)
        {
            var w = weights is null ? 1 : weights[i];
            gh[2 * i] = (float)(w * (mean - target[i]));
            gh[(2 * i) + 1] = (float)w;
        }
        return gh;
    }

    /// <summary>A seed for tree <paramref name="t"/> (SplitMix64 of the run seed and the index).</summary>
    private static int TreeSeed(int seed, int t)
    {
        var z = unchecked(((ulong)(uint)seed << 32) + (ulong)t + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }
}
