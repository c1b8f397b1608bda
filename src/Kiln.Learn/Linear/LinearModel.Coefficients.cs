using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Learn.Linear;

/// <summary>One term of a linear or logistic model.</summary>
/// <param name="Output">The output it belongs to (a class for multiclass; 0 otherwise).</param>
/// <param name="Term"><c>(intercept)</c> or the feature.</param>
/// <param name="Category">The category of a one-hot term, else null.</param>
/// <param name="Raw">The coefficient on the feature's own scale (per unit; for a category, the shift when present).</param>
/// <param name="Standardized">The coefficient per standard deviation of the feature (what the learner fits; comparable across features).</param>
/// <param name="StdError">The raw coefficient's standard error, or NaN when there is none (a penalised fit, a one-hot term, multiclass).</param>
/// <param name="Z">Raw / StdError.</param>
/// <param name="PValue">The two-sided p-value of Z (normal approximation).</param>
/// <param name="Low">The 95 % confidence interval's lower end.</param>
/// <param name="High">Its upper end.</param>
public sealed record Coefficient(int Output, string Term, string? Category, double Raw, double Standardized, double StdError, double Z, double PValue, double Low, double High);

/// <summary>The coefficient table: every term with its raw and standardised value and, for an unpenalised fit, its inference.</summary>
public sealed partial class LinearModel
{
    /// <summary>Designs wider than this get coefficients but no intervals (the information matrix is inverted densely).</summary>
    public const int MaxInferenceTerms = 1500;

    /// <summary>
    /// Every term's raw and standardised coefficient. With <paramref name="train"/> (the data it was fitted on, unpenalised)
    /// and a regression or binary task, also the numeric terms' standard errors — ordinary least squares'
    /// σ²(XᵀX)⁻¹, or the inverse Fisher information (XᵀWX)⁻¹ of logistic regression — with z, p and the 95 % interval, from
    /// a design coded with one reference category per categorical feature (the numeric terms' variances do not depend on
    /// that coding; the one-hot terms and, with categorical features, the intercept are not identifiable on their own).
    /// </summary>
    public IReadOnlyList<Coefficient> Coefficients(Table? train = null)
    {
        var numeric = _encoding.Numeric.Length;
        var width = _encoding.Width;
        double[]? errors = train is not null && Schema.Task != TaskKind.MulticlassClassification ? StandardErrors(train) : null;
        var rows = new List<Coefficient>();
        for (var k = 0; k < OutputCount; k++)
        {
            rows.Add(Row(k, "(intercept)", null, Intercept(k), _intercepts[k], errors is not null && _encoding.Categorical.Length == 0 ? errors[0] : double.NaN));
            for (var j = 0; j < numeric; j++)
            {
                var w = _weights[(k * width) + j];
                rows.Add(Row(k, Schema.Features[_encoding.Numeric[j]].Name, null, w * _encoding.Scales[j], w, errors?[1 + j] ?? double.NaN));
            }
            for (var c = 0; c < _encoding.Categorical.Length; c++)
            {
                var feature = Schema.Features[_encoding.Categorical[c]];
                for (var code = 0; code < feature.Categories.Count; code++)
                {
                    var w = _weights[(k * width) + numeric + _encoding.Offsets[c] + code];
                    rows.Add(Row(k, feature.Name, feature.Categories[code], w, w, double.NaN));
                }
            }
        }
        return rows;
    }

    private static Coefficient Row(int output, string term, string? category, double raw, double standardized, double error)
    {
        var z = raw / error;
        var p = double.IsFinite(z) ? 2 * (1 - NormalCdf(Math.Abs(z))) : double.NaN;
        return new Coefficient(output, term, category, raw, standardized, error, z, p, raw - (1.959963984540054 * error), raw + (1.959963984540054 * error));
    }

    /// <summary>Standard errors on the raw scale: index 0 the intercept, then the numeric terms (NaN when the design is singular).</summary>
    private double[]? StandardErrors(Table train)
    {
        var view = FeatureView.Bind(train, Schema);
        var numeric = _encoding.Numeric.Length;
        var references = _encoding.Categorical.Select(c => Math.Max(0, Schema.Features[c].Categories.Count - 1)).ToArray();
        var p = 1 + numeric + references.Sum();
        if (p > MaxInferenceTerms || view.RowCount <= p)
        {
            return null;
        }
        var columns = _encoding.Numeric.Select(view.GetColumn).ToArray();
        var codes = _encoding.Categorical.Select(view.GetColumn).ToArray();
        var target = Schema.Task == TaskKind.Regression ? ReadTarget(train) : null;
        var info = new double[p * p];
        var x = new double[p];
        var features = new double[Schema.Features.Count];
        var output = new double[1];
        double residuals = 0;
        for (var r = 0; r < view.RowCount; r++)
        {
            Array.Clear(x);
            x[0] = 1;
            for (var j = 0; j < numeric; j++)
            {
                var v = columns[j][r];
                x[1 + j] = double.IsNaN(v) ? _encoding.Means[j] : v; // a missing value counts as the mean, as the model scores it
                features[_encoding.Numeric[j]] = v;
            }
            var offset = 1 + numeric;
            for (var c = 0; c < codes.Length; c++)
            {
                var code = codes[c][r];
                features[_encoding.Categorical[c]] = code;
                if (!double.IsNaN(code) && code >= 1 && code <= references[c])
                {
                    x[offset + (int)code - 1] = 1; // the first category is the reference
                }
                offset += references[c];
            }
            PredictRow(features, output);
            double weight;
            if (target is not null)
            {
                var residual = target[r] - output[0];
                residuals += residual * residual;
                weight = 1;
            }
            else
            {
                weight = output[0] * (1 - output[0]);
            }
            for (var a = 0; a < p; a++)
            {
                if (x[a] == 0)
                {
                    continue;
                }
                var wa = weight * x[a];
                for (var b = a; b < p; b++)
                {
                    info[(a * p) + b] += wa * x[b];
                }
            }
        }
        var inverse = InvertSymmetric(info, p);
        if (inverse is null)
        {
            return null;
        }
        var scale = target is not null ? residuals / (view.RowCount - p) : 1;
        return [.. Enumerable.Range(0, 1 + numeric).Select(i => Math.Sqrt(scale * inverse[(i * p) + i]))];
    }

    private double[] ReadTarget(Table train)
    {
        var column = train[Schema.Target];
        var values = new double[column.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = double.Parse(column.FormatValue(i) ?? "NaN", System.Globalization.CultureInfo.InvariantCulture);
        }
        return values;
    }

    /// <summary>The inverse of a symmetric positive-definite matrix (upper triangle given) by Cholesky, or null when it is singular.</summary>
    private static double[]? InvertSymmetric(double[] a, int n)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[(j * n) + i];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[(i * n) + k] * l[(j * n) + k];
                }
                if (i == j)
                {
                    if (sum <= 1e-10 * Math.Max(1, Math.Abs(a[(i * n) + i])))
                    {
                        return null;
                    }
                    l[(i * n) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * n) + j] = sum / l[(j * n) + j];
                }
            }
        }
        // inverse = L⁻ᵀ L⁻¹: invert L column by column, then multiply.
        var linv = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            linv[(j * n) + j] = 1 / l[(j * n) + j];
            for (var i = j + 1; i < n; i++)
            {
                double sum = 0;
                for (var k = j; k < i; k++)
                {
                    sum -= l[(i * n) + k] * linv[(k * n) + j];
                }
                linv[(i * n) + j] = sum / l[(i * n) + i];
            }
        }
        var inverse = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = 0;
                for (var k = i; k < n; k++)
                {
                    sum += linv[(k * n) + i] * linv[(k * n) + j];
                }
                inverse[(i * n) + j] = inverse[(j * n) + i] = sum;
            }
        }
        return inverse;
    }

    private static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    // Numerical Recipes' erfc (fractional error < 1.2e-7), enough for p-values.
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851343, -0.82215223, 0.17087277];
        var poly = c[^1];
        for (var i = c.Length - 2; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }
        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
