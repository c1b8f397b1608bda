namespace Kiln.Learn.Linear;

/// <summary>Per-row feature contributions of a linear or logistic model.</summary>
public sealed partial class LinearModel
{
    /// <inheritdoc />
    public override string? ExplainUnavailable => null;

    /// <summary>
    /// A numeric feature contributes its standardised value times its weight (0 when missing, which scores as the mean), a
    /// categorical feature the weight of its category (0 for one unseen or missing); the bias is the intercept. They sum
    /// to the raw score exactly: the prediction (regression), the log-odds (binary) or each class's score (multiclass).
    /// </summary>
    private protected override void ExplainRows(ReadOnlySpan<double> rows, int count, Span<double> contributions)
    {
        var features = Schema.Features.Count;
        var outputs = OutputCount;
        var width = _encoding.Width;
        var numeric = _encoding.Numeric.Length;
        var stride = outputs * (features + 1);
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * features, features);
            var result = contributions.Slice(i * stride, stride);
            result.Clear();
            for (var k = 0; k < outputs; k++)
            {
                var phi = result.Slice(k * (features + 1), features + 1);
                for (var j = 0; j < numeric; j++)
                {
                    phi[_encoding.Numeric[j]] = _weights[(k * width) + j] * _encoding.Standardise(j, row[_encoding.Numeric[j]]);
                }
                for (var c = 0; c < _encoding.Categorical.Length; c++)
                {
                    var f = _encoding.Categorical[c];
                    var onehot = _encoding.OneHot(c, row[f], Schema.Features[f].Categories.Count);
                    phi[f] = onehot < 0 ? 0 : _weights[(k * width) + numeric + onehot];
                }
                phi[features] = _intercepts[k];
            }
        }
    }
}
