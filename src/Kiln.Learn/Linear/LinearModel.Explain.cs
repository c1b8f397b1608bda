using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Learn.Linear;

/// <summary>Per-row feature contributions of a linear or logistic model.</summary>
public sealed partial class LinearModel
{
    /// <summary>
    /// Each row's contribution of each feature to the raw score (the prediction for regression, the log-odds for binary, the
    /// class's score for multiclass <paramref name="output"/>): a numeric feature's standardised value times its weight (0 when
    /// missing, which scores as the mean), a categorical feature's weight of its category (0 for one unseen or missing).
    /// Row-major, one value per feature in the schema's order; the contributions and <c>Bias</c> sum to the raw score exactly.
    /// </summary>
    public (double[] Contributions, double Bias) Explain(Table table, int output = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (output < 0 || output >= OutputCount)
        {
            throw new ArgumentOutOfRangeException(nameof(output), $"output is {output}; the model has {OutputCount}.");
        }
        var view = FeatureView.Bind(table, Schema);
        var features = Schema.Features.Count;
        var contributions = new double[view.RowCount * features];
        var width = _encoding.Width;
        var numeric = _encoding.Numeric.Length;
        for (var j = 0; j < numeric; j++)
        {
            var f = _encoding.Numeric[j];
            var w = _weights[(output * width) + j];
            var column = view.GetColumn(f);
            for (var r = 0; r < column.Length; r++)
            {
                contributions[(r * features) + f] = w * _encoding.Standardise(j, column[r]);
            }
        }
        for (var c = 0; c < _encoding.Categorical.Length; c++)
        {
            var f = _encoding.Categorical[c];
            var categories = Schema.Features[f].Categories.Count;
            var codes = view.GetColumn(f);
            for (var r = 0; r < codes.Length; r++)
            {
                var onehot = _encoding.OneHot(c, codes[r], categories);
                contributions[(r * features) + f] = onehot < 0 ? 0 : _weights[(output * width) + numeric + onehot];
            }
        }
        return (contributions, _intercepts[output]);
    }
}
