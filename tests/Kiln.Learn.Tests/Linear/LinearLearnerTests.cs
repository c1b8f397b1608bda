using Kiln.Learn.Linear;
using Kiln.Learn.Tests.Gbdt;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Linear;

public sealed class LinearLearnerTests
{
    private static readonly LinearLearner Learner = new();

    [Fact]
    public void Least_squares_recovers_noiseless_coefficients()
    {
        var model = Learner.Fit(Synthetic.Linear(2000, noise: 0), "y", new LinearOptions());
        Assert.Equal(3, model.Coefficient("a"), 6);
        Assert.Equal(-2, model.Coefficient("b"), 6);
        Assert.Equal(0, model.Coefficient("c"), 6);
        Assert.Equal(1, model.Intercept(), 6);
        Assert.Equal("true", model.Properties["converged"]);
        Assert.True(double.Parse(model.Properties["gradient_norm"], System.Globalization.CultureInfo.InvariantCulture) < 1e-6);
    }

    [Fact]
    public void Lasso_zeroes_the_irrelevant_feature_and_ridge_shrinks()
    {
        var train = Synthetic.Linear(2000, noise: 0.5);
        var lasso = Learner.Fit(train, "y", new LinearOptions { Alpha = 0.05, L1Ratio = 1 });
        Assert.Equal(0, lasso.Coefficient("c"));
        Assert.InRange(lasso.Coefficient("a"), 2.5, 3);
        var ridge = Learner.Fit(train, "y", new LinearOptions { Alpha = 1 });
        Assert.InRange(ridge.Coefficient("a"), 0.5, 2.5);
        Assert.NotEqual(0, ridge.Coefficient("c"));
    }

    [Fact]
    public void Categories_are_one_hot_and_unknown_ones_contribute_nothing()
    {
        var rng = new Random(3);
        var codes = Enumerable.Range(0, 900).Select(_ => rng.Next(3)).ToArray();
        var x = codes.Select(_ => rng.NextDouble()).ToArray();
        var y = codes.Select((c, i) => (2 * x[i]) + (c == 1 ? 5 : c == 2 ? -1 : 0)).ToArray();
        var table = new Table([new CategoricalColumn("k", codes, ["p", "q", "r"]), new Float64Column("x", x), new Float64Column("y", y)]);
        var model = Learner.Fit(table, "y", new LinearOptions());
        Assert.Equal(5, model.Coefficient("k", "q") - model.Coefficient("k", "p"), 6);
        Assert.Equal(-1, model.Coefficient("k", "r") - model.Coefficient("k", "p"), 6);
        Span<double> output = stackalloc double[1];
        model.Predict([double.NaN, 0.5], output);
        Assert.Equal(model.Intercept() + 1, output[0], 6);
    }

    [Fact]
    public void A_missing_numeric_value_is_imputed_with_the_training_mean()
    {
        var train = Synthetic.Linear(500, noise: 0);
        var model = Learner.Fit(train, "y", new LinearOptions());
        var mean = ((Float64Column)train["a"]).Values.ToArray().Average();
        Span<double> missing = stackalloc double[1];
        Span<double> atMean = stackalloc double[1];
        model.Predict([double.NaN, 0.2, 0.4], missing);
        model.Predict([mean, 0.2, 0.4], atMean);
        Assert.Equal(atMean[0], missing[0], 9);
    }

    [Fact]
    public void Progress_cancellation_and_save_load()
    {
        var train = Synthetic.Linear(800, noise: 0.3);
        var reports = new List<TrainingProgress>();
        var model = Learner.Fit(train, "y", new LinearOptions { Alpha = 0.01, L1Ratio = 0.5 }, Synthetic.Linear(200, seed: 5),
            new SynchronousProgress(reports.Add));
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.True(r.ValidationLoss > 0 && r.TrainLoss > 0));
        Assert.Equal(model.Predict(train), RoundTrip(model).Predict(train));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Learner.Fit(train, "y", new LinearOptions(), cancellationToken: cancel.Token));
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Learner.Fit(Synthetic.Step(50), "y", new LinearOptions { Task = TaskKind.BinaryClassification }));
        Assert.Equal("Task", e.ParamName);
        Assert.Equal("L1Ratio", Assert.Throws<ArgumentException>(() => Learner.Fit(Synthetic.Step(50), "y", new LinearOptions { L1Ratio = 2 })).ParamName);
        Assert.Contains("'z'", Assert.Throws<LearnException>(() => Learner.Fit(Synthetic.Step(50), "z", new LinearOptions())).Message);
    }

    private static TrainedModel RoundTrip(TrainedModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        return TrainedModel.Load(stream);
    }
}
