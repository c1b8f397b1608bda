using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Learn.Linear;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Explanations;

/// <summary>A feature's share of the explanations: the mean absolute contribution over the rows (global importance).</summary>
/// <param name="Feature">The feature.</param>
/// <param name="MeanAbsContribution">Its mean |contribution| to the raw score.</param>
public sealed record FeatureImportance(string Feature, double MeanAbsContribution);

/// <summary>
/// Explanations of predictions as per-feature contributions to the raw score (log-odds for a binary model), plus a bias, that
/// sum to it; and reason codes: for each row the features that pushed its score down most (for a binary model: the reasons
/// for a decline) or, for a positive prediction, up most. Linear and logistic models today; tree models need the node
/// covers TreeSHAP weighs paths by, which Kiln's tree files do not keep yet.
/// </summary>
public static class Explainer
{
    /// <summary>
    /// <paramref name="input"/> with <c>contrib_FEATURE</c> columns, <c>contrib_bias</c>, and <c>reason_1</c>…<c>reason_K</c>
    /// (<c>FEATURE=VALUE (±contribution)</c>), and the features' global importance, largest first.
    /// </summary>
    public static (Table Output, IReadOnlyList<FeatureImportance> Importance) Explain(TrainedModel model, Table input, int top = 3)
    {
        if (model is not LinearModel linear)
        {
            throw KilnException.Invalid($"Explanations are built for linear and logistic models so far; this model is {model.LearnerName}. "
                + "Tree models (TreeSHAP) follow once model files keep node covers.");
        }
        if (model.Schema.Task == TaskKind.MulticlassClassification)
        {
            throw KilnException.Invalid("Explanations are for regression and binary models so far; this model is multiclass.");
        }
        var (contributions, bias) = linear.Explain(input);
        var features = model.Schema.Features;
        var rows = input.RowCount;
        var probabilities = model.Schema.Task == TaskKind.BinaryClassification ? model.Predict(input) : null;
        var output = input;
        for (var f = 0; f < features.Count; f++)
        {
            var values = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                values[r] = contributions[(r * features.Count) + f];
            }
            output = output.WithColumn(new Float64Column("contrib_" + features[f].Name, values));
        }
        output = output.WithColumn(new Float64Column("contrib_bias", Enumerable.Repeat(bias, rows).ToArray()));
        var reasons = Enumerable.Range(0, top).Select(_ => new string?[rows]).ToArray();
        var order = new int[features.Count];
        for (var r = 0; r < rows; r++)
        {
            // a declined applicant's reasons are what pulled the score down; an approved one's what lifted it
            var positive = probabilities is not null && probabilities[r] >= model.Schema.DecisionThreshold;
            var sign = positive ? -1 : 1;
            for (var f = 0; f < order.Length; f++)
            {
                order[f] = f;
            }
            var row = r;
            Array.Sort(order, (a, b) => (sign * contributions[(row * features.Count) + a]).CompareTo(sign * contributions[(row * features.Count) + b]));
            for (var k = 0; k < top && k < order.Length; k++)
            {
                var f = order[k];
                var value = contributions[(r * features.Count) + f];
                if (positive ? value <= 0 : value >= 0)
                {
                    break; // no more features pushing this way
                }
                var column = input.TryGetColumn(features[f].Name, out var c) ? c : null;
                reasons[k][r] = $"{features[f].Name}={column?.FormatValue(r) ?? ""} ({value.ToString("+0.###;-0.###", CultureInfo.InvariantCulture)})";
            }
        }
        for (var k = 0; k < top; k++)
        {
            output = output.WithColumn(new TextColumn($"reason_{k + 1}", reasons[k]));
        }
        var importance = features.Select((feature, f) => new FeatureImportance(feature.Name,
            rows == 0 ? 0 : Enumerable.Range(0, rows).Average(r => Math.Abs(contributions[(r * features.Count) + f])))).OrderByDescending(i => i.MeanAbsContribution).ToList();
        return (output, importance);
    }
}
