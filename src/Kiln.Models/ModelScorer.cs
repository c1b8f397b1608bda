using Kiln.Learn;

namespace Kiln.Models;

/// <summary>
/// Scores rows of <typeparamref name="TRow"/> with a model, in-process. One row is scored without allocating; the
/// scorer is immutable and thread-safe. Create it once per row type with <see cref="KilnModel.CreateScorer{TRow}"/>.
/// </summary>
/// <typeparam name="TRow">A class or struct with a property or field per feature.</typeparam>
public sealed class ModelScorer<TRow>
{
    private const int StackFeatures = 256;
    private readonly TrainedModel _model;
    private readonly Func<TRow, double>[] _numbers;
    private readonly Func<TRow, string?>?[] _texts;
    private readonly Dictionary<string, int>?[] _codes;

    internal ModelScorer(TrainedModel model, (Func<TRow, double>[] Numbers, Func<TRow, string?>?[] Texts, Dictionary<string, int>?[] Codes) readers)
    {
        _model = model;
        (_numbers, _texts, _codes) = readers;
    }

    /// <summary>Values per prediction: 1 for regression and binary classification, one per class for multiclass.</summary>
    public int OutputCount => _model.OutputCount;

    /// <summary>The class labels in output order (empty for regression).</summary>
    public IReadOnlyList<string> Classes => _model.Schema.Classes;

    /// <summary>
    /// Predicts one row into <paramref name="output"/> (<see cref="OutputCount"/> values): the probability of
    /// <c>Classes[1]</c> (binary), one probability per class (multiclass) or the predicted value (regression). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="OutputCount"/>.</exception>
    public void Predict(in TRow row, Span<double> output)
    {
        var count = _numbers.Length;
        if (count <= StackFeatures)
        {
            Span<double> features = stackalloc double[count];
            Fill(row, features);
            _model.Predict(features, output);
            return;
        }
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(count);
        try
        {
            Fill(row, rented.AsSpan(0, count));
            _model.Predict(rented.AsSpan(0, count), output);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>The one value a binary classifier (probability of <c>Classes[1]</c>) or a regressor predicts. Allocates nothing.</summary>
    /// <exception cref="InvalidOperationException">The model is a multiclass classifier: use <see cref="Predict(in TRow, Span{double})"/> or <see cref="PredictClass"/>.</exception>
    public double Predict(in TRow row)
    {
        if (OutputCount != 1)
        {
            throw new InvalidOperationException($"The model predicts {OutputCount} class probabilities; pass a Span<double> of that length, or call PredictClass.");
        }
        Span<double> output = stackalloc double[1];
        Predict(row, output);
        return output[0];
    }

    /// <summary>The predicted class label (binary: <c>Classes[1]</c> when its probability is at least the model's decision
    /// threshold, 0.5 unless training chose another). Allocates nothing.</summary>
    /// <exception cref="InvalidOperationException">The model is a regressor.</exception>
    public string PredictClass(in TRow row)
    {
        var classes = _model.Schema.Classes;
        if (classes.Count == 0)
        {
            throw new InvalidOperationException("The model is a regressor: call Predict for its value.");
        }
        Span<double> output = stackalloc double[OutputCount];
        Predict(row, output);
        if (OutputCount == 1)
        {
            return output[0] >= _model.Schema.DecisionThreshold ? classes[1] : classes[0];
        }
        var best = 0;
        for (var c = 1; c < output.Length; c++)
        {
            best = output[c] > output[best] ? c : best;
        }
        return classes[best];
    }

    /// <summary>Values <see cref="Explain"/> writes: per output, one per feature, then the bias.</summary>
    public int ExplanationWidth => OutputCount * (_numbers.Length + 1);

    /// <summary>
    /// One row's feature contributions to its raw score (the log-odds of a binary model): per output, one value per feature in
    /// the model's order, then the bias; they sum to the raw score. Exact TreeSHAP for tree models.
    /// </summary>
    /// <exception cref="LearnException">The model cannot explain (a tree model saved without node covers).</exception>
    public void Explain(in TRow row, Span<double> contributions)
    {
        var count = _numbers.Length;
        var features = count <= StackFeatures ? stackalloc double[count] : new double[count];
        Fill(row, features);
        _model.Explain(features, contributions);
    }

    /// <summary>
    /// The <paramref name="top"/> reasons for a binary or regression model's score, as (feature, contribution): for a
    /// negative decision (below the decision threshold; for a regressor, always) the features that pulled the score down
    /// most, for a positive one those that pushed it up most; only features that pushed that way.
    /// </summary>
    public IReadOnlyList<(string Feature, double Contribution)> Reasons(in TRow row, int top = 3)
    {
        if (OutputCount != 1)
        {
            throw new InvalidOperationException($"The model predicts {OutputCount} classes; call Explain and read the predicted class's contributions.");
        }
        var contributions = new double[ExplanationWidth];
        Explain(row, contributions);
        var positive = Classes.Count == 2 && Predict(row) >= _model.Schema.DecisionThreshold;
        var sign = positive ? -1 : 1;
        return [.. Enumerable.Range(0, _numbers.Length)
            .Where(f => positive ? contributions[f] > 0 : contributions[f] < 0)
            .OrderBy(f => sign * contributions[f])
            .Take(top)
            .Select(f => (_model.Schema.Features[f].Name, contributions[f]))];
    }

    /// <summary>Predicts many rows: row-major, <see cref="OutputCount"/> values per row.</summary>
    public double[] Predict(IReadOnlyList<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new double[rows.Count * OutputCount];
        for (var i = 0; i < rows.Count; i++)
        {
            Predict(rows[i], result.AsSpan(i * OutputCount, OutputCount));
        }
        return result;
    }

    private void Fill(in TRow row, Span<double> features)
    {
        for (var f = 0; f < features.Length; f++)
        {
            if (_texts[f] is { } text)
            {
                // Categories the model never saw, and null, are missing values.
                features[f] = text(row) is { } value && _codes[f]!.TryGetValue(value, out var code) ? code : double.NaN;
            }
            else
            {
                features[f] = _numbers[f](row);
            }
        }
    }
}
