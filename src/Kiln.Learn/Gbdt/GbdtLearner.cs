using System.Globalization;
using Kiln.Learn.Data;
using Kiln.Learn.Diagnostics;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;
using Kiln.Tabular;

namespace Kiln.Learn.Gbdt;

/// <summary>Histogram-based gradient-boosted trees (XGBoost hist / LightGBM style): quantile bins, native categorical
/// splits, learned missing-value directions, depth-wise or leaf-wise growth, early stopping.</summary>
/// <remarks>Training loss is computed only when a progress sink is given (it costs a pass over the rows per round);
/// otherwise <see cref="TrainingProgress.TrainLoss"/> is NaN. Results are identical for the same data, options, seed and
/// <see cref="LearnerOptions.Threads"/>.</remarks>
public sealed class GbdtLearner : ILearner<GbdtOptions>
{
    private const int GradientBlock = 16_384;

    /// <inheritdoc />
    public string Name => GbdtModel.Learner;

    /// <inheritdoc />
    TrainedModel ILearner<GbdtOptions>.Fit(Table train, string target, GbdtOptions options, Table? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        Fit(train, target, options, validation, progress, cancellationToken);

    /// <summary>Fits a boosted model; see <see cref="ILearner{TOptions}.Fit"/>.</summary>
    public GbdtModel Fit(Table train, string target, GbdtOptions options, Table? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.OptionNeedingValidation is { } needing && validation is null)
        {
            throw new ArgumentException($"{needing} needs a validation table.", nameof(options));
        }
        var threads = options.ResolvedThreads;
        var data = TrainingData.Create(train, target, options.Task, options);
        var schema = data.Schema;
        var t0 = PhaseTimer.Start();
        var bins = BinnedMatrix.ChooseBins(data.Features, schema, options.MaxBins, options.BinSampleSize, threads);
        PhaseTimer.Stop(Phase.BinChoice, t0);
        var matrix = BinnedMatrix.Create(data.Features, bins, threads, withColumns: true, cancellationToken);
        var valid = validation is null ? null : data.Bind(validation);
        var validMatrix = valid is null ? null : BinnedMatrix.Create(valid.Features, bins, threads, cancellationToken);
        PhaseTimer.Stop(Phase.Binning, t0);
        var run = new BoostingRun(options, schema, bins, matrix, data.Target, validMatrix, valid?.Target, threads) { Weights = data.Weights };
        var model = run.Train(progress, cancellationToken);
        PhaseTimer.Flush();
        return model;
    }

    private sealed class BoostingRun
    {
        private readonly GbdtOptions _options;
        private readonly ModelSchema _schema;
        private readonly FeatureBins[] _bins;
        private readonly BinnedMatrix _matrix;
        private readonly double[] _y;
        private readonly BinnedMatrix? _validMatrix;
        private readonly double[]? _validY;
        private readonly int _threads;
        private readonly Objective _objective;
        private readonly int _outputs;

        /// <summary>Per-row weights (null: all 1): each row's gradient and hessian are multiplied by its weight.</summary>
        public double[]? Weights { get; init; }

        public BoostingRun(GbdtOptions options, ModelSchema schema, FeatureBins[] bins, BinnedMatrix matrix, double[] y,
            BinnedMatrix? validMatrix, double[]? validY, int threads)
        {
            _options = options;
            _schema = schema;
            _bins = bins;
            _matrix = matrix;
            _y = y;
            _validMatrix = validMatrix;
            _validY = validY;
            _threads = threads;
            _objective = Objective.Create(options.Task, schema.Classes.Count, options);
            _outputs = _objective.Outputs;
        }

        public GbdtModel Train(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            var n = _matrix.RowCount;
            var baseScores = _objective.BaseScores(_y);
            var scores = Fill(n, baseScores);
            var validScores = _validMatrix is null ? null : Fill(_validMatrix.RowCount, baseScores);
            var gh = new float[_outputs][];
            for (var k = 0; k < _outputs; k++)
            {
                gh[k] = GC.AllocateUninitializedArray<float>(2 * n);
            }
            var settings = new GrowerSettings
            {
                MaxDepth = _options.MaxDepth, MaxLeaves = _options.MaxLeaves, MinChildWeight = _options.MinChildWeight,
                MinSamplesLeaf = _options.MinSamplesLeaf, Lambda = _options.Lambda, Alpha = _options.Alpha,
                Gamma = _options.MinSplitGain, LeafScale = _options.LearningRate,
                CategoricalSmoothing = _options.CategoricalSmoothing, MaxCategoricalThreshold = _options.MaxCategoricalThreshold,
                Monotone = TreeConstraints.Monotone(_options.Monotone, _schema),
                InteractionGroups = TreeConstraints.Interactions(_options.Interactions, _schema),
            };
            if (settings.Monotone is not null && _objective.RefitMedian)
            {
                throw new LearnException($"monotone constraints need a loss whose leaf values come from gradients; {_options.Loss} refits each leaf to a median. Use squared_error or huber.");
            }
            var grower = new TreeGrower(_matrix, _bins, settings, _threads);
            var builder = new TreeEnsembleBuilder(_bins);
            var grown = new List<GrownTree>();
            var rng = new Random(_options.Seed);
            var allRows = Enumerable.Range(0, n).ToArray();
            var allFeatures = Enumerable.Range(0, _matrix.FeatureCount).ToArray();
            var sampled = _options.Subsample < 1 ? new int[n] : null;
            var best = (Loss: double.PositiveInfinity, Round: 0);
            var rounds = 0;
            var t0 = PhaseTimer.Start();
            ForBlocks(n, (s, e) =>
            {
                _objective.Gradients(scores, _y, gh, s, e);
                Weigh(gh, s, e);
            });
            PhaseTimer.Stop(Phase.Gradients, t0);
            for (var round = 1; round <= _options.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = sampled is null ? allRows : Sample(sampled, n, rng);
                var features = _options.ColumnSample < 1 ? SampleFeatures(allFeatures, rng) : allFeatures;
                // one output, every row in the tree, another round to come, leaves numbered within 16 bits: the scores are
                // updated inside the next gradient pass, block by block, from each row's leaf (see ApplyPending); a
                // depth-wise tree then writes the last level's leaves as it splits (see TreeGrower.Grow)
                var deferable = _outputs == 1 && sampled is null && round < _options.Rounds;
                var lastLevel = deferable && _options.MaxLeaves == 0 && _options.MaxDepth is > 0 and <= 15 && !_objective.RefitMedian;
                for (var k = 0; k < _outputs; k++)
                {
                    var tree = grower.Grow(rows, gh[k], features, rng, lastLevel ? _leafOf ??= new ushort[n] : null);
                    if (_objective.RefitMedian)
                    {
                        RefitMedian(tree, grower.Rows, scores);
                    }
                    t0 = PhaseTimer.Start();
                    var defer = deferable && tree.LeafValues.Count <= ushort.MaxValue;
                    UpdateTrainScores(tree, grower, scores, k, sampled is null, defer);
                    PhaseTimer.Stop(Phase.PredictionUpdate, t0);
                    if (validScores is not null)
                    {
                        t0 = PhaseTimer.Start();
                        AddTree(tree, _validMatrix!, validScores, k);
                        PhaseTimer.Stop(Phase.Validation, t0);
                    }
                    builder.Add(tree, k);
                    grown.Add(tree);
                }
                rounds = round;
                // the next round's gradients depend only on the scores, so they are computed now, together with the
                // training loss when a progress sink wants it (one pass over the rows for both)
                t0 = PhaseTimer.Start();
                var trainLoss = double.NaN;
                if (round < _options.Rounds)
                {
                    trainLoss = GradientsAndLoss(scores, gh, withLoss: progress is not null);
                }
                else if (progress is not null)
                {
                    trainLoss = Loss(scores, _y);
                }
                PhaseTimer.Stop(progress is null ? Phase.Gradients : Phase.TrainLoss, t0);
                t0 = PhaseTimer.Start();
                double? validLoss = validScores is null ? null : Loss(validScores, _validY!);
                PhaseTimer.Stop(Phase.Validation, t0);
                progress?.Report(new TrainingProgress(round, _options.Rounds, trainLoss, validLoss));
                if (validLoss is { } v)
                {
                    if (v < best.Loss - 1e-12)
                    {
                        best = (v, round);
                    }
                    else if (_options.EarlyStoppingRounds > 0 && round - best.Round >= _options.EarlyStoppingRounds)
                    {
                        break;
                    }
                }
            }
            var keep = _options.EarlyStoppingRounds > 0 && best.Round > 0 ? best.Round : rounds;
            builder.Truncate(keep * _outputs);
            var ensemble = builder.Build(baseScores, _objective.Transform, 1);
            var properties = new Dictionary<string, string>
            {
                ["rounds"] = rounds.ToString(CultureInfo.InvariantCulture),
                ["best_round"] = keep.ToString(CultureInfo.InvariantCulture),
            };
            if (best.Round > 0)
            {
                properties["best_validation_loss"] = best.Loss.ToString("R", CultureInfo.InvariantCulture);
            }
            // Every row's score holds every kept tree (no sampling, no trees dropped): its transform is what the model predicts for the row.
            var outputs = sampled is null && keep == rounds && rounds == _options.Rounds ? TransformInPlace(scores, _objective.Transform) : null;
            return new GbdtModel(_schema, ensemble, TreeModel.Importances(_schema, grown.Take(keep * _outputs))) { Properties = properties }
                .WithTrainingOutputs(outputs);
        }

        private double[]? TransformInPlace(double[] scores, OutputTransform transform)
        {
            switch (transform)
            {
                case OutputTransform.Identity:
                    return scores;
                case OutputTransform.Sigmoid when _outputs == 1:
                    ForBlocks(scores.Length, (s, e) =>
                    {
                        for (var i = s; i < e; i++)
                        {
                            scores[i] = 1 / (1 + Math.Exp(-scores[i]));
                        }
                    });
                    return scores;
                case OutputTransform.Softmax:
                    for (var i = 0; i < scores.Length; i += _outputs)
                    {
                        TreeEnsemble.Softmax(scores.AsSpan(i, _outputs));
                    }
                    return scores;
                default:
                    return null;
            }
        }

        private double[] Fill(int rows, double[] baseScores)
        {
            var scores = GC.AllocateUninitializedArray<double>(rows * _outputs);
            for (var i = 0; i < rows; i++)
            {
                baseScores.CopyTo(scores, i * _outputs);
            }
            return scores;
        }

        private void ForBlocks(int n, Action<int, int> body)
        {
            var blocks = (n + GradientBlock - 1) / GradientBlock;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads },
                b => body(b * GradientBlock, Math.Min(n, (b + 1) * GradientBlock)));
        }

        private double GradientsAndLoss(double[] scores, float[][] gh, bool withLoss)
        {
            var n = _y.Length;
            if (!withLoss)
            {
                ForBlocks(n, (s, e) =>
                {
                    ApplyPending(scores, s, e);
                    _objective.Gradients(scores, _y, gh, s, e);
                    Weigh(gh, s, e);
                });
                _pendingValues = null;
                return double.NaN;
            }
            var blocks = (n + GradientBlock - 1) / GradientBlock;
            var sums = new double[blocks];
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, b =>
            {
                var (s, e) = (b * GradientBlock, Math.Min(n, (b + 1) * GradientBlock));
                ApplyPending(scores, s, e);
                sums[b] = _objective.GradientsAndLoss(scores, _y, gh, s, e);
                Weigh(gh, s, e);
            });
            _pendingValues = null;
            return _objective.Report(sums.Sum() / n);
        }

        /// <summary>Multiplies rows [s, e)'s gradients and hessians by their weights.</summary>
        private void Weigh(float[][] gh, int s, int e)
        {
            if (Weights is not { } weights)
            {
                return;
            }
            foreach (var pairs in gh)
            {
                for (var i = s; i < e; i++)
                {
                    var w = (float)weights[i];
                    pairs[2 * i] *= w;
                    pairs[(2 * i) + 1] *= w;
                }
            }
        }

        private double Loss(double[] scores, double[] y)
        {
            var n = y.Length;
            var blocks = (n + GradientBlock - 1) / GradientBlock;
            var sums = new double[blocks];
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads },
                b => sums[b] = _objective.LossSum(scores, y, b * GradientBlock, Math.Min(n, (b + 1) * GradientBlock)));
            return _objective.Report(sums.Sum() / n);
        }

        private int[] Sample(int[] buffer, int n, Random rng)
        {
            var count = 0;
            var fraction = _options.Subsample;
            for (var i = 0; i < n; i++)
            {
                if (rng.NextDouble() < fraction)
                {
                    buffer[count++] = i;
                }
            }
            return buffer[..Math.Max(count, 1)];
        }

        private int[] SampleFeatures(int[] all, Random rng)
        {
            var k = Math.Max(1, (int)Math.Round(all.Length * _options.ColumnSample));
            var shuffled = (int[])all.Clone();
            for (var i = 0; i < k; i++)
            {
                var j = rng.Next(i, shuffled.Length);
                (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
            }
            var chosen = shuffled[..k];
            Array.Sort(chosen);
            return chosen;
        }

        private void RefitMedian(GrownTree tree, int[] rows, double[] scores)
        {
            for (var leaf = 0; leaf < tree.LeafValues.Count; leaf++)
            {
                var (begin, end) = tree.LeafRows[leaf];
                if (end <= begin)
                {
                    continue;
                }
                var residuals = new double[end - begin];
                for (var i = begin; i < end; i++)
                {
                    residuals[i - begin] = _y[rows[i]] - scores[rows[i]];
                }
                Array.Sort(residuals);
                var m = residuals.Length;
                var median = m % 2 == 1 ? residuals[m / 2] : (residuals[(m / 2) - 1] + residuals[m / 2]) / 2;
                tree.LeafValues[leaf] = median * _options.LearningRate;
            }
        }

        /// <summary>Each row's leaf in the last tree and the leaves' values, when its scores update is deferred.</summary>
        private ushort[]? _leafOf;
        private double[]? _pendingValues;

        private void UpdateTrainScores(GrownTree tree, TreeGrower grower, double[] scores, int k, bool allRowsInTree, bool defer)
        {
            if (!allRowsInTree)
            {
                AddTree(tree, _matrix, scores, k);
                return;
            }
            // each row is in exactly one leaf, so the leaves can be handled on all threads; a deferred update only notes
            // each row's leaf (2 bytes, scattered) and the next gradient pass adds the values in row order (8 bytes, streamed)
            var rows = grower.Rows;
            var outputs = _outputs;
            var values = tree.LeafValues;
            var leafOf = defer ? _leafOf ??= new ushort[_matrix.RowCount] : null;
            Parallel.For(0, values.Count, new ParallelOptions { MaxDegreeOfParallelism = _threads }, leaf =>
            {
                var (begin, end) = tree.LeafRows[leaf];
                if (leafOf is not null)
                {
                    for (var i = begin; i < end; i++)
                    {
                        leafOf[rows[i]] = (ushort)leaf;
                    }
                    return;
                }
                var value = values[leaf];
                for (var i = begin; i < end; i++)
                {
                    scores[(rows[i] * outputs) + k] += value;
                }
            });
            _pendingValues = defer ? [.. values] : null;
        }

        /// <summary>Adds the deferred tree's leaf values to rows [start, end) (one output).</summary>
        private void ApplyPending(double[] scores, int start, int end)
        {
            var values = _pendingValues;
            if (values is null)
            {
                return;
            }
            var leafOf = _leafOf!;
            for (var i = start; i < end; i++)
            {
                scores[i] += values[leafOf[i]];
            }
        }

        private void AddTree(GrownTree tree, BinnedMatrix matrix, double[] scores, int k)
        {
            var f = matrix.FeatureCount;
            ForBlocks(matrix.RowCount, (s, e) =>
            {
                for (var i = s; i < e; i++)
                {
                    var leaf = tree.FindLeaf(matrix.Bins.AsSpan(i * f, f));
                    scores[(i * _outputs) + k] += tree.LeafValues[leaf];
                }
            });
        }
    }
}
