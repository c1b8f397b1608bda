using Kiln.Learn.Linear;
using Kiln.Learn.Metrics;
using Kiln.Learn.Tests.Gbdt;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Linear;

public sealed class LogisticLearnerTests
{
    private static readonly LogisticLearner Learner = new();

    [Fact]
    public void One_feature_matches_a_newton_solution()
    {
        var rng = new Random(21);
        var x = Enumerable.Range(0, 3000).Select(_ => (rng.NextDouble() * 4) - 1).ToArray();
        var y = x.Select(v => rng.NextDouble() < 1 / (1 + Math.Exp(-((1.5 * v) - 0.5))) ? 1.0 : 0.0).ToArray();
        const double Lambda = 0.01;
        var model = Learner.Fit(new Table([new Float64Column("x", x), new Float64Column("y", y)]), "y",
            new LogisticOptions { Lambda = Lambda, Tolerance = 1e-10 });
        var (slope, intercept) = Newton(x, y, Lambda);
        Assert.Equal(slope, model.Coefficient("x"), 6);
        Assert.Equal(intercept, model.Intercept(), 6);
        Assert.Equal("true", model.Properties["converged"]);
    }

    [Fact]
    public void Separable_classes_get_a_finite_sharp_boundary()
    {
        var model = Learner.Fit(Synthetic.Step(2000), "y", new LogisticOptions());
        var test = Synthetic.Step(1000, seed: 9);
        var labels = GbdtLearnerTests.Labels(test, "y");
        Assert.True(ClassificationMetrics.Accuracy(labels, ClassificationMetrics.Classify(model.Predict(test))) > 0.98);
        Assert.True(double.IsFinite(model.Coefficient("x")) && model.Coefficient("x") > 20);
    }

    [Fact]
    public void Overlapping_classes_with_categories_are_learned()
    {
        var model = Learner.Fit(NoisySynthetic.Binary(4000), "y", new LogisticOptions());
        var test = NoisySynthetic.Binary(2000, seed: 12);
        Assert.True(ProbabilityMetrics.RocAuc(GbdtLearnerTests.Labels(test, "y"), model.Predict(test)) > 0.85);
        Assert.True(model.Coefficient("group", "g2") > model.Coefficient("group", "g0") + 0.5);
        Assert.InRange(model.Coefficient("x0"), 1.5, 2.5);
    }

    [Fact]
    public void Multinomial_learns_three_classes()
    {
        var model = Learner.Fit(Synthetic.ThreeClasses(3000), "y", new LogisticOptions { Task = TaskKind.MulticlassClassification, Lambda = 1e-5 });
        var test = Synthetic.ThreeClasses(600, seed: 8);
        var p = model.Predict(test);
        var actual = ((CategoricalColumn)test["y"]).Codes.ToArray();
        Assert.Equal(3, model.OutputCount);
        Assert.True(ClassificationMetrics.Accuracy(actual, ClassificationMetrics.ArgMax(p, 3)) > 0.95);
        Assert.Equal(1.0, p[0] + p[1] + p[2], 9);
        Assert.Equal(p, RoundTrip(model).Predict(test));
    }

    [Fact]
    public void The_model_depends_on_the_seed_and_data_not_the_thread_count()
    {
        var train = NoisySynthetic.Binary(5000);
        var one = Learner.Fit(train, "y", new LogisticOptions { Threads = 1 }).Predict(train);
        var two = Learner.Fit(train, "y", new LogisticOptions { Threads = 2 }).Predict(train);
        Assert.Equal(one, two);
    }

    [Fact]
    public void Progress_reports_each_iteration_and_cancellation_stops()
    {
        var reports = new List<TrainingProgress>();
        var model = Learner.Fit(NoisySynthetic.Binary(1000), "y", new LogisticOptions(), NoisySynthetic.Binary(300, seed: 4), new SynchronousProgress(reports.Add));
        Assert.Equal(int.Parse(model.Properties["iterations"], System.Globalization.CultureInfo.InvariantCulture), reports.Count);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);
        Assert.All(reports, r => Assert.True(r.ValidationLoss > 0));
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        var progress = new SynchronousProgress(_ =>
        {
            if (++seen == 2)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Learner.Fit(NoisySynthetic.Binary(1000), "y", new LogisticOptions(), null, progress, cancel.Token));
        Assert.Equal(2, seen);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        Assert.Equal("Task", Assert.Throws<ArgumentException>(() => Learner.Fit(Synthetic.Step(50), "y", new LogisticOptions { Task = TaskKind.Regression })).ParamName);
        Assert.Equal("Lambda", Assert.Throws<ArgumentException>(() => Learner.Fit(Synthetic.Step(50), "y", new LogisticOptions { Lambda = -1 })).ParamName);
    }

    /// <summary>Newton's method on mean log loss + λ/2·w² with x standardised (as the learner does), mapped back to raw units.</summary>
    private static (double Slope, double Intercept) Newton(double[] x, double[] y, double lambda)
    {
        var mean = x.Average();
        var std = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average());
        var z = x.Select(v => (v - mean) / std).ToArray();
        double w = 0, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double gw = lambda * w, gb = 0, hww = lambda, hwb = 0, hbb = 0;
            for (var i = 0; i < z.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-((w * z[i]) + b)));
                var r = (p - y[i]) / z.Length;
                var s = p * (1 - p) / z.Length;
                gw += r * z[i];
                gb += r;
                hww += s * z[i] * z[i];
                hwb += s * z[i];
                hbb += s;
            }
            var det = (hww * hbb) - (hwb * hwb);
            w -= ((hbb * gw) - (hwb * gb)) / det;
            b -= ((hww * gb) - (hwb * gw)) / det;
        }
        return (w / std, b - (w * mean / std));
    }

    private static TrainedModel RoundTrip(TrainedModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        return TrainedModel.Load(stream);
    }
}
