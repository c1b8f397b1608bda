using Kiln.Learn.Data;
using Kiln.Learn.Model;
using Kiln.Tabular;

namespace Kiln.Learn;

/// <summary>A fitted model: its schema, one-row and batch prediction, and saving to the Kiln model file format.</summary>
/// <remarks>Inputs follow one convention everywhere: NaN and ±Infinity in numeric features are missing values; in
/// categorical features a missing code, or a category the model did not see in training, is a missing value. Missing
/// values take the direction (tree models) or the imputed value (linear models) learned in training.</remarks>
public abstract class TrainedModel
{

    /// <summary>Creates a model with its schema.</summary>
    protected TrainedModel(ModelSchema schema)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
    }

    /// <summary>The task, target, features and classes.</summary>
    public ModelSchema Schema { get; private set; }

    /// <summary>The model file property that keeps <see cref="ModelSchema.DecisionThreshold"/>.</summary>
    public const string DecisionThresholdProperty = "decision_threshold";

    /// <summary>
    /// Sets a binary model's decision threshold (the probability at or above which it predicts the positive class), kept in
    /// its properties and so in its file; done by training before the model is saved.
    /// </summary>
    public void SetDecisionThreshold(double threshold)
    {
        if (Schema.Task != TaskKind.BinaryClassification)
        {
            throw new LearnException("A decision threshold is for binary classifiers; this model is " + Schema.Task + ".");
        }
        if (!(threshold is > 0 and < 1))
        {
            throw new LearnException($"A decision threshold is a probability strictly between 0 and 1; {threshold} is not.");
        }
        Schema = Schema with { DecisionThreshold = threshold };
        _properties = new Dictionary<string, string>(Properties, StringComparer.Ordinal)
        {
            [DecisionThresholdProperty] = threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private Calibration.Calibrator? _calibrator;

    /// <summary>The calibration applied to a binary model's probability (Platt or isotonic), or null.</summary>
    public Calibration.Calibrator? Calibrator => _calibrator;

    /// <summary>
    /// Calibrates a binary model: from now on (and in its file, as the <c>calibration</c> property) every prediction's
    /// probability goes through <paramref name="calibrator"/>. Explanations still explain the uncalibrated score.
    /// </summary>
    public void SetCalibration(Calibration.Calibrator calibrator)
    {
        ArgumentNullException.ThrowIfNull(calibrator);
        if (Schema.Task != TaskKind.BinaryClassification)
        {
            throw new LearnException("Calibration is for binary classifiers; this model is " + Schema.Task + ".");
        }
        _calibrator = calibrator;
        _trainingOutputs = null; // they were the uncalibrated probabilities
        _properties = new Dictionary<string, string>(Properties, StringComparer.Ordinal) { [Calibration.Calibrator.Property] = calibrator.Serialize() };
    }

    /// <summary>Restores the calibrator a model file's properties keep.</summary>
    internal void ReadCalibration()
    {
        if (Schema.Task == TaskKind.BinaryClassification && Properties.TryGetValue(Calibration.Calibrator.Property, out var text))
        {
            _calibrator = Calibration.Calibrator.Parse(text) ?? throw new LearnException("The model file is corrupt: its calibration property cannot be read.");
        }
    }

    private void Calibrate(Span<double> probabilities)
    {
        if (_calibrator is { } calibrator)
        {
            for (var i = 0; i < probabilities.Length; i++)
            {
                probabilities[i] = calibrator.Apply(probabilities[i]);
            }
        }
    }

    /// <summary>The learner's name as written in model files ("gbdt", "forest", "linear").</summary>
    public abstract string LearnerName { get; }

    /// <summary>Values per prediction (see <see cref="ModelSchema.OutputCount"/>).</summary>
    public int OutputCount => Schema.OutputCount;

    /// <summary>Training facts worth keeping with the model (e.g. best iteration, convergence), saved in the file.</summary>
    public IReadOnlyDictionary<string, string> Properties { get => _properties; init => _properties = value; }

    private IReadOnlyDictionary<string, string> _properties = new Dictionary<string, string>();

    private double[]? _trainingOutputs;

    /// <summary>
    /// Returns, once, the model's outputs for its training rows as the learner computed them while fitting (row-major, as
    /// <see cref="Predict(Table, CancellationToken)"/> returns them), so that evaluating on the training set need not predict
    /// again; null when the learner did not keep them (e.g. boosting with row sampling or early stopping). Not saved with the model.
    /// </summary>
    public double[]? TakeTrainingOutputs() => Interlocked.Exchange(ref _trainingOutputs, null);

    /// <summary>Keeps the training rows' outputs for <see cref="TakeTrainingOutputs"/>.</summary>
    private protected void KeepTrainingOutputs(double[] outputs) => _trainingOutputs = outputs;

    /// <summary>Predicts one row without allocating. <paramref name="row"/> holds one value per feature in
    /// <see cref="ModelSchema.Features"/> order (categorical features as codes into the feature's categories);
    /// <paramref name="output"/> receives <see cref="OutputCount"/> values: the probability of <c>Classes[1]</c> (binary),
    /// one probability per class (multiclass) or the predicted value (regression).</summary>
    /// <exception cref="ArgumentException">A span is shorter than the feature or output count.</exception>
    public void Predict(ReadOnlySpan<double> row, Span<double> output)
    {
        if (row.Length < Schema.Features.Count)
        {
            throw new ArgumentException($"The row has {row.Length} values; the model needs {Schema.Features.Count}.", nameof(row));
        }
        if (output.Length < OutputCount)
        {
            throw new ArgumentException($"The output has room for {output.Length} values; the model writes {OutputCount}.", nameof(output));
        }
        PredictRow(row, output);
        if (_calibrator is not null)
        {
            Calibrate(output[..1]);
        }
    }

    /// <summary>Predicts every row of <paramref name="table"/> in parallel; the result is row-major, <see cref="OutputCount"/>
    /// values per row. Feature columns are found by name (other columns are ignored).</summary>
    /// <exception cref="LearnException">A feature column is missing or has the wrong kind; the message names it.</exception>
    public double[] Predict(Table table, CancellationToken cancellationToken = default) => Predict(table, -1, cancellationToken);

    /// <summary>As <see cref="Predict(Table, CancellationToken)"/> on at most <paramref name="maxThreads"/> threads (-1: as
    /// many as the machine has; 1: this thread alone, as a server already busy with other requests wants).</summary>
    public double[] Predict(Table table, int maxThreads, CancellationToken cancellationToken = default)
    {
        if (maxThreads is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "Give a positive number of threads, or -1 for as many as the machine has.");
        }
        var result = PredictUncalibrated(table, maxThreads, cancellationToken);
        Calibrate(result);
        return result;
    }

    private double[] PredictUncalibrated(Table table, int maxThreads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var view = FeatureView.Bind(table, Schema);
        var outputs = OutputCount;
        var result = GC.AllocateUninitializedArray<double>(view.RowCount * outputs);
        var blockRows = PredictionBlockRows;
        var blocks = (view.RowCount + blockRows - 1) / blockRows;
        if (view.RowCount <= FewRows)
        {
            // a served request of a row or two: the one-row walk (a block's vector kernels cost as much for one row as for 32)
            var row = new double[Schema.Features.Count];
            for (var i = 0; i < view.RowCount; i++)
            {
                for (var f = 0; f < row.Length; f++)
                {
                    view.Fill(f, i, row.AsSpan(f, 1));
                }
                PredictRow(row, result.AsSpan(i * outputs, outputs));
            }
            return result;
        }
        if (blocks == 1)
        {
            // one block (every served request of a few rows): on this thread, without the parallel loop's set-up, its buffer
            // sized to the rows it has
            var count = view.RowCount;
            var buffer = new double[count * Schema.Features.Count];
            var rows = result.AsSpan(0, count * outputs);
            if (!PredictRows(view, 0, count, buffer, count, rows))
            {
                for (var f = 0; f < Schema.Features.Count; f++)
                {
                    view.Fill(f, 0, buffer.AsSpan(f * count, count));
                }
                PredictBlock(buffer, count, count, rows);
            }
            return result;
        }
        if (maxThreads == 1)
        {
            var buffer = new double[blockRows * Schema.Features.Count];
            for (var block = 0; block < blocks; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PredictBlockAt(view, block, buffer, result);
            }
            return result;
        }
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = maxThreads },
            () => new double[blockRows * Schema.Features.Count],
            (block, _, buffer) => PredictBlockAt(view, block, buffer, result),
            _ => { });
        return result;
    }

    /// <summary>Predicts block <paramref name="block"/> of <paramref name="view"/> into <paramref name="result"/>, its
    /// features gathered in <paramref name="buffer"/> (<see cref="PredictionBlockRows"/> rows per feature); returns the buffer.</summary>
    private double[] PredictBlockAt(FeatureView view, int block, double[] buffer, double[] result)
    {
        var (blockRows, outputs) = (PredictionBlockRows, OutputCount);
        var start = block * blockRows;
        var count = Math.Min(blockRows, view.RowCount - start);
        var rows = result.AsSpan(start * outputs, count * outputs);
        if (!PredictRows(view, start, count, buffer, blockRows, rows))
        {
            for (var f = 0; f < Schema.Features.Count; f++)
            {
                view.Fill(f, start, buffer.AsSpan(f * blockRows, count));
            }
            PredictBlock(buffer, blockRows, count, rows);
        }
        // the thread's next block is usually the next one: its columns load while this one is predicted
        for (var f = 0; f < Schema.Features.Count; f++)
        {
            view.Prefetch(f, start + blockRows, blockRows);
        }
        return buffer;
    }

    /// <summary>Up to this many rows, <see cref="Predict(Table, CancellationToken)"/> walks each row alone: the one-row walk
    /// (~1.3 µs numeric, ~3.4 µs with categorical splits) beats a 32-row vector chunk until a handful of rows.</summary>
    private const int FewRows = 4;

    /// <summary>Rows per block of <see cref="Predict(Table, CancellationToken)"/>: 128 keeps a 30-feature block of doubles in L1.</summary>
    private protected virtual int PredictionBlockRows => 128;

    /// <summary>Predicts rows [<paramref name="start"/>, start + <paramref name="count"/>) of <paramref name="view"/>
    /// reading its columns where it can (<paramref name="buffer"/>, feature f at f × stride, for the rest); false when
    /// the model needs the block filled first (<see cref="PredictBlock"/>).</summary>
    private protected virtual bool PredictRows(FeatureView view, int start, int count, double[] buffer, int stride, Span<double> output) => false;

    /// <summary>Predicts a block of rows stored column-major (feature f of row i at [f * stride + i]).</summary>
    internal virtual void PredictBlock(double[] columns, int stride, int count, Span<double> output)
    {
        Span<double> row = stackalloc double[Schema.Features.Count];
        var outputs = OutputCount;
        for (var i = 0; i < count; i++)
        {
            for (var f = 0; f < row.Length; f++)
            {
                row[f] = columns[(f * stride) + i];
            }
            PredictRow(row, output.Slice(i * outputs, outputs));
        }
    }

    /// <summary>Null when the model can explain its predictions (<see cref="Explain(Table, CancellationToken)"/>); otherwise
    /// why it cannot, and what to do.</summary>
    public virtual string? ExplainUnavailable => $"{LearnerName} models do not explain their predictions.";

    /// <summary>
    /// One row's feature contributions to its raw score (the prediction for regression, the log-odds for binary, each
    /// class's score for multiclass): per output, one value per feature in <see cref="ModelSchema.Features"/> order, then the
    /// bias (the expected raw score); they sum to the raw score. Trees give exact path-dependent SHAP values (TreeSHAP, as
    /// XGBoost's <c>pred_contribs</c>), linear models weight × standardised value.
    /// </summary>
    /// <exception cref="LearnException">The model cannot explain (see <see cref="ExplainUnavailable"/>).</exception>
    public void Explain(ReadOnlySpan<double> row, Span<double> contributions)
    {
        var features = Schema.Features.Count;
        if (row.Length < features)
        {
            throw new ArgumentException($"The row has {row.Length} values; the model needs {features}.", nameof(row));
        }
        var width = OutputCount * (features + 1);
        if (contributions.Length < width)
        {
            throw new ArgumentException($"The contributions have room for {contributions.Length} values; the model writes {width}.", nameof(contributions));
        }
        if (ExplainUnavailable is { } reason)
        {
            throw new LearnException(reason);
        }
        ExplainRows(row[..features], 1, contributions);
    }

    /// <summary>Explains every row of <paramref name="table"/> in parallel (see <see cref="Explain(ReadOnlySpan{double}, Span{double})"/>):
    /// row-major, <see cref="Explanations.ModelExplanation.Width"/> values per row.</summary>
    /// <exception cref="LearnException">The model cannot explain, or a feature column is missing or of the wrong kind.</exception>
    public double[] Explain(Table table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (ExplainUnavailable is { } reason)
        {
            throw new LearnException(reason);
        }
        var view = FeatureView.Bind(table, Schema);
        var features = Schema.Features.Count;
        var width = OutputCount * (features + 1);
        var result = new double[view.RowCount * width];
        const int blockRows = 64;
        var blocks = (view.RowCount + blockRows - 1) / blockRows;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken },
            () => (Rows: new double[blockRows * features], Column: new double[blockRows]),
            (block, _, buffers) =>
            {
                var start = block * blockRows;
                var count = Math.Min(blockRows, view.RowCount - start);
                for (var f = 0; f < features; f++)
                {
                    view.Fill(f, start, buffers.Column.AsSpan(0, count));
                    for (var i = 0; i < count; i++)
                    {
                        buffers.Rows[(i * features) + f] = buffers.Column[i];
                    }
                }
                ExplainRows(buffers.Rows, count, result.AsSpan(start * width, count * width));
                return buffers;
            },
            _ => { });
        return result;
    }

    /// <summary>Explains <paramref name="count"/> row-major rows (checked, of this model's width).</summary>
    private protected virtual void ExplainRows(ReadOnlySpan<double> rows, int count, Span<double> contributions) =>
        throw new LearnException(ExplainUnavailable ?? "This model does not explain its predictions.");

    /// <summary>Predicts one row whose spans have been checked.</summary>
    private protected abstract void PredictRow(ReadOnlySpan<double> row, Span<double> output);

    /// <summary>Writes the learner-specific part of the model file.</summary>
    private protected abstract void WritePayload(BinaryWriter writer);

    /// <summary>Writes the model in the Kiln model file format (see <see cref="ModelFile"/>).</summary>
    public void Save(Stream stream) => ModelFile.Save(this, stream);

    /// <summary>Writes the model to the file at <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        using var stream = File.Create(path);
        Save(stream);
    }

    /// <summary>Reads a model written by <see cref="Save(Stream)"/> (see <see cref="ModelFile.Load"/>).</summary>
    public static TrainedModel Load(Stream stream) => ModelFile.Load(stream);

    /// <summary>Reads the model file at <paramref name="path"/>.</summary>
    public static TrainedModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    internal void WritePayloadTo(BinaryWriter writer) => WritePayload(writer);
}
