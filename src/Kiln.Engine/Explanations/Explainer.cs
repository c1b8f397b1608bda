using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Learn.Explanations;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Explanations;

/// <summary>A feature's share of the explanations: the mean absolute contribution over the rows (global importance).</summary>
/// <param name="Feature">The feature.</param>
/// <param name="MeanAbsContribution">Its mean |contribution| to the raw score.</param>
public sealed record FeatureImportance(string Feature, double MeanAbsContribution);

/// <summary>A reason code: a feature, the row's value of it (the category for a categorical feature) and its contribution.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Value">The row's value, as text ("" when missing).</param>
/// <param name="Contribution">Its contribution to the raw score.</param>
public sealed record Reason(string Feature, string Value, double Contribution)
{
    /// <summary><c>FEATURE=VALUE (±contribution)</c>.</summary>
    public override string ToString() => $"{Feature}={Value} ({Contribution.ToString("+0.###;-0.###", CultureInfo.InvariantCulture)})";
}

/// <summary>Explanations of a table's rows.</summary>
/// <param name="Output">The input with <c>contrib_FEATURE</c>, <c>contrib_bias</c> and <c>reason_1</c>… columns (and
/// <c>explained_class</c> for a multiclass model).</param>
/// <param name="Importance">Each feature's mean |contribution|, largest first.</param>
/// <param name="Features">The features, in the model's order.</param>
/// <param name="Contributions">Row-major, one value per feature: the contributions to the explained output's raw score.</param>
/// <param name="Bias">Per row, the explained output's bias (expected raw score).</param>
public sealed record Explanation(Table Output, IReadOnlyList<FeatureImportance> Importance, IReadOnlyList<string> Features,
    double[] Contributions, double[] Bias);

/// <summary>
/// Explanations of predictions as per-feature contributions to the raw score (log-odds for a binary model), plus a bias, that
/// sum to it: exact TreeSHAP for tree models (Kiln's, and imported XGBoost and LightGBM trees), weight × standardised
/// value for linear and logistic models. Reason codes: for each row the features that pushed its score down most (for a
/// binary model: the reasons for a decline) or, for a positive prediction, up most. A multiclass model explains each row's
/// predicted class.
/// </summary>
public static class Explainer
{
    /// <summary>Explains every row of <paramref name="input"/>.</summary>
    /// <exception cref="KilnException">The model cannot explain its predictions (the message says why).</exception>
    public static Explanation Explain(TrainedModel model, Table input, int top = 3, CancellationToken ct = default)
    {
        if (model.ExplainUnavailable is { } reason)
        {
            throw KilnException.Invalid(reason);
        }
        var values = model.Explain(input, ct);
        var predictions = model.Predict(input, ct);
        var features = model.Schema.Features;
        var rows = input.RowCount;
        var width = ModelExplanation.Width(model);
        var explained = Enumerable.Range(0, rows).Select(r => ExplainedOutput(model, predictions, r)).ToArray();
        var contributions = new double[rows * features.Count];
        var bias = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var start = (r * width) + ModelExplanation.Index(model, explained[r], 0);
            values.AsSpan(start, features.Count).CopyTo(contributions.AsSpan(r * features.Count));
            bias[r] = values[start + features.Count];
        }
        var output = input;
        if (model.Schema.Task == TaskKind.MulticlassClassification)
        {
            output = output.WithColumn(new TextColumn("explained_class", [.. explained.Select(k => model.Schema.Classes[k])]));
        }
        for (var f = 0; f < features.Count; f++)
        {
            var column = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                column[r] = contributions[(r * features.Count) + f];
            }
            output = output.WithColumn(new Float64Column("contrib_" + features[f].Name, column));
        }
        output = output.WithColumn(new Float64Column("contrib_bias", bias));
        var reasons = Enumerable.Range(0, top).Select(_ => new string?[rows]).ToArray();
        for (var r = 0; r < rows; r++)
        {
            var codes = Reasons(model, input, r, contributions.AsSpan(r * features.Count, features.Count), Positive(model, predictions, r), top);
            for (var k = 0; k < codes.Count; k++)
            {
                reasons[k][r] = codes[k].ToString();
            }
        }
        for (var k = 0; k < top; k++)
        {
            output = output.WithColumn(new TextColumn($"reason_{k + 1}", reasons[k]));
        }
        var importance = features.Select((feature, f) => new FeatureImportance(feature.Name,
            rows == 0 ? 0 : Enumerable.Range(0, rows).Average(r => Math.Abs(contributions[(r * features.Count) + f])))).OrderByDescending(i => i.MeanAbsContribution).ToList();
        return new Explanation(output, importance, [.. features.Select(f => f.Name)], contributions, bias);
    }

    /// <summary>
    /// The top <paramref name="top"/> reasons of one row: for a negative outcome (a decline) the features that pulled the
    /// score down most, for a positive one those that pushed it up most; only features that pushed that way.
    /// </summary>
    public static IReadOnlyList<Reason> Reasons(TrainedModel model, Table input, int row, ReadOnlySpan<double> contributions, bool positive, int top)
    {
        var features = model.Schema.Features;
        var order = Enumerable.Range(0, features.Count).ToArray();
        var sign = positive ? -1 : 1;
        var values = contributions.ToArray();
        Array.Sort(order, (a, b) => (sign * values[a]).CompareTo(sign * values[b]));
        var result = new List<Reason>(top);
        foreach (var f in order)
        {
            var value = values[f];
            if (result.Count == top || (positive ? value <= 0 : value >= 0))
            {
                break; // no more features pushing this way
            }
            var column = input.TryGetColumn(features[f].Name, out var c) ? c : null;
            result.Add(new Reason(features[f].Name, column?.FormatValue(row) ?? "", value));
        }
        return result;
    }

/// <summary>The output row <paramref name="row"/>'s explanation explains: a multiclass model's predicted class (the first
    /// of equal probabilities), else the only output.</summary>
    public static int ExplainedOutput(TrainedModel model, double[] predictions, int row)
    {
        if (model.Schema.Task != TaskKind.MulticlassClassification)
        {
            return 0;
        }
        var outputs = model.OutputCount;
        var best = 0;
        for (var c = 1; c < outputs; c++)
        {
            best = predictions[(row * outputs) + c] > predictions[(row * outputs) + best] ? c : best;
        }
        return best;
    }

    /// <summary>Whether a binary model approves row <paramref name="row"/> (its reasons are then what lifted the score).</summary>
    public static bool Positive(TrainedModel model, double[] predictions, int row) =>
        model.Schema.Task == TaskKind.BinaryClassification && predictions[row] >= model.Schema.DecisionThreshold;
}
