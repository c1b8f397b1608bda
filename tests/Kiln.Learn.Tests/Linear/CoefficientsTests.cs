using Kiln.Learn.Linear;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Tests.Linear;

/// <summary>The coefficient table: raw and standardised values, and the textbook standard errors of unpenalised fits.</summary>
public sealed class CoefficientsTests
{
    private static double[] Normals(Random rng, int n) =>
        [.. Enumerable.Range(0, n).Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))];

    [Fact]
    public void Least_squares_errors_match_the_simple_regression_formulas_and_the_interval_covers_the_truth()
    {
        var rng = new Random(7);
        const int n = 2000;
        var x = Enumerable.Range(0, n).Select(_ => 10 * rng.NextDouble()).ToArray();
        var noise = Normals(rng, n);
        var y = x.Select((v, i) => 2 + (3 * v) + (0.5 * noise[i])).ToArray();
        var table = new Table([new Float64Column("x", x), new Float64Column("y", y)]);
        var model = new LinearLearner().Fit(table, "y", new LinearOptions());
        var rows = model.Coefficients(table);
        var (intercept, slope) = (rows.Single(r => r.Term == "(intercept)"), rows.Single(r => r.Term == "x"));

        // se(b) = s / sqrt(Sxx), se(a) = s * sqrt(1/n + mean² / Sxx), s² = RSS / (n - 2)
        var mean = x.Average();
        var sxx = x.Sum(v => (v - mean) * (v - mean));
        var rss = x.Select((v, i) => y[i] - (intercept.Raw + (slope.Raw * v))).Sum(r => r * r);
        var s = Math.Sqrt(rss / (n - 2));
        Assert.Equal(s / Math.Sqrt(sxx), slope.StdError, 9);
        Assert.Equal(s * Math.Sqrt((1.0 / n) + (mean * mean / sxx)), intercept.StdError, 9);
        Assert.InRange(3.0, slope.Low, slope.High);
        Assert.InRange(2.0, intercept.Low, intercept.High);
        Assert.True(slope.PValue < 1e-12);
        Assert.Equal(slope.Raw / model.Coefficients()[1].Raw * model.Coefficients()[1].Raw, slope.Raw, 12);
        Assert.True(double.IsNaN(model.Coefficients()[1].StdError)); // without the data: no inference
    }

    [Fact]
    public void Logistic_errors_are_the_inverse_fisher_information_and_categories_are_not_identified_alone()
    {
        var rng = new Random(11);
        const int n = 3000;
        var x = Normals(rng, n);
        var codes = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
        var y = x.Select(v => rng.NextDouble() < 1 / (1 + Math.Exp(-(0.5 + (1.5 * v)))) ? 1.0 : 0.0).ToArray();
        var plain = new Table([new Float64Column("x", x), new Float64Column("y", y)]);
        var model = new LogisticLearner().Fit(plain, "y", new LogisticOptions { Lambda = 0, Task = TaskKind.BinaryClassification });
        var slope = model.Coefficients(plain).Single(r => r.Term == "x");
        // the 2×2 information matrix, inverted by hand
        double i00 = 0, i01 = 0, i11 = 0;
        Span<double> p = stackalloc double[1];
        for (var i = 0; i < n; i++)
        {
            model.Predict([x[i]], p);
            var w = p[0] * (1 - p[0]);
            (i00, i01, i11) = (i00 + w, i01 + (w * x[i]), i11 + (w * x[i] * x[i]));
        }
        Assert.Equal(Math.Sqrt(i00 / ((i00 * i11) - (i01 * i01))), slope.StdError, 8);
        Assert.InRange(1.5, slope.Low, slope.High);

        var yk = x.Select((v, i) => rng.NextDouble() < 1 / (1 + Math.Exp(-(0.5 + (1.5 * v) - (codes[i] == 2 ? 1 : 0)))) ? 1.0 : 0.0).ToArray();
        var withCategory = new Table([new CategoricalColumn("k", codes, ["a", "b", "c"]), new Float64Column("x", x), new Float64Column("y", yk)]);
        var rows = new LogisticLearner().Fit(withCategory, "y", new LogisticOptions { Lambda = 0, Task = TaskKind.BinaryClassification }).Coefficients(withCategory);
        Assert.True(double.IsFinite(rows.Single(r => r.Term == "x").StdError));
        Assert.True(double.IsNaN(rows.Single(r => r.Term == "(intercept)").StdError));
        Assert.All(rows.Where(r => r.Category is not null), r => Assert.True(double.IsNaN(r.StdError)));
        Assert.Equal(["a", "b", "c"], rows.Where(r => r.Term == "k").Select(r => r.Category));
    }
}
