using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Linear;
using Kiln.Learn.Metrics;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Tests.Data;

/// <summary>Row weights in every learner: two groups that disagree, and the weights decide which one the model follows.</summary>
public sealed class RowWeightsTests
{
    /// <summary>Group A: y = 1 when x0 &gt; 0 (regression: y = 2·x0); group B the opposite. The group is only in the weights.</summary>
    private static Table Disagreeing(int rows, TaskKind task, double weightA, double weightB, int seed = 1)
    {
        var rng = new Random(seed);
        var (x0, x1, y, w) = (new double[rows], new double[rows], new double[rows], new double[rows]);
        for (var i = 0; i < rows; i++)
        {
            x0[i] = (rng.NextDouble() * 2) - 1;
            x1[i] = rng.NextDouble();
            var a = i % 2 == 0;
            var sign = a ? 1 : -1;
            y[i] = task == TaskKind.Regression ? 2 * sign * x0[i] : (sign * x0[i] > 0 ? 1 : 0);
            w[i] = a ? weightA : weightB;
        }
        return new Table([new Float64Column("x0", x0), new Float64Column("x1", x1), new Float64Column("w", w),
            task == TaskKind.Regression ? new Float64Column("y", y) : new TextColumn("y", [.. y.Select(v => v == 1 ? "yes" : "no")])]);
    }

    private static TrainedModel Fit(string learner, Table train, TaskKind task, string weights) => learner switch
    {
        "gbdt" => new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = task, Rounds = 30, MaxDepth = 3, WeightColumn = weights }),
        "forest" => new ForestLearner().Fit(train, "y", new ForestOptions { Task = task, Trees = 30, WeightColumn = weights }),
        "logistic" => new LogisticLearner().Fit(train, "y", new LogisticOptions { Task = task, WeightColumn = weights }),
        _ => new LinearLearner().Fit(train, "y", new LinearOptions { Task = task, WeightColumn = weights }),
    };

    [Theory]
    [InlineData("gbdt", TaskKind.BinaryClassification)]
    [InlineData("forest", TaskKind.BinaryClassification)]
    [InlineData("logistic", TaskKind.BinaryClassification)]
    [InlineData("gbdt", TaskKind.Regression)]
    [InlineData("forest", TaskKind.Regression)]
    [InlineData("linear", TaskKind.Regression)]
    public void The_model_follows_the_group_that_carries_the_weight(string learner, TaskKind task)
    {
        var followsA = Fit(learner, Disagreeing(3000, task, 1, 0.01), task, "w");
        var followsB = Fit(learner, Disagreeing(3000, task, 0.01, 1), task, "w");
        Assert.DoesNotContain(followsA.Schema.Features, f => f.Name == "w"); // the weight column is not a feature
        var output = new double[1];
        double At(TrainedModel model, double x0)
        {
            model.Predict([x0, 0.5], output);
            return output[0];
        }
        Assert.True(At(followsA, 0.8) > At(followsA, -0.8), $"{learner}: weighted to A, the score rises with x0");
        Assert.True(At(followsB, 0.8) < At(followsB, -0.8), $"{learner}: weighted to B, it falls");
    }

    [Fact]
    public void Class_weights_and_scale_pos_weight_raise_the_weighted_class()
    {
        var train = Disagreeing(2000, TaskKind.BinaryClassification, 1, 1);
        var plain = new LogisticLearner().Fit(train, "y", new LogisticOptions { WeightColumn = "w" });
        var positive = new LogisticLearner().Fit(train, "y", new LogisticOptions { WeightColumn = "w", ScalePosWeight = 4 });
        var byName = new GbdtLearner().Fit(train, "y", new GbdtOptions { WeightColumn = "w", ClassWeight = "yes:4", Rounds = 20 });
        var gbdtPlain = new GbdtLearner().Fit(train, "y", new GbdtOptions { WeightColumn = "w", Rounds = 20 });
        Assert.True(positive.Predict(train).Average() > plain.Predict(train).Average() + 0.1);
        Assert.True(byName.Predict(train).Average() > gbdtPlain.Predict(train).Average() + 0.1);
        Assert.Contains("CLASS:WEIGHT", Assert.Throws<LearnException>(() => new GbdtLearner().Fit(train, "y", new GbdtOptions { ClassWeight = "maybe:2" })).Message);
        Assert.Contains("weights are finite numbers ≥ 0", Assert.Throws<LearnException>(() =>
            new GbdtLearner().Fit(train.WithColumn(new Float64Column("w", [.. Enumerable.Repeat(-1.0, train.RowCount)])), "y", new GbdtOptions { WeightColumn = "w" })).Message);
    }

    [Fact]
    public void Whole_number_weights_give_the_metrics_of_repeated_rows()
    {
        var rng = new Random(5);
        var n = 400;
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(2)).ToArray();
        var scores = labels.Select(l => Math.Round((0.3 * l) + (rng.NextDouble() * 0.7), 2)).ToArray(); // ties on purpose
        var weights = Enumerable.Range(0, n).Select(_ => (double)rng.Next(0, 4)).ToArray();
        var (rl, rs) = (new List<int>(), new List<double>());
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < weights[i]; k++)
            {
                rl.Add(labels[i]);
                rs.Add(scores[i]);
            }
        }
        int[] repeatedLabels = [.. rl];
        double[] repeatedScores = [.. rs];
        Assert.Equal(ProbabilityMetrics.RocAuc(repeatedLabels, repeatedScores), WeightedMetrics.RocAuc(labels, scores, weights), 12);
        Assert.Equal(ProbabilityMetrics.AveragePrecision(repeatedLabels, repeatedScores), WeightedMetrics.AveragePrecision(labels, scores, weights), 12);
        Assert.Equal(ProbabilityMetrics.LogLoss(repeatedLabels, repeatedScores), WeightedMetrics.LogLoss(labels, scores, weights), 12);
        Assert.Equal(ProbabilityMetrics.BrierScore(repeatedLabels, repeatedScores), WeightedMetrics.BrierScore(labels, scores, weights), 12);
        var predicted = ClassificationMetrics.Classify(scores);
        var repeatedPredicted = ClassificationMetrics.Classify(repeatedScores);
        var weighted = WeightedMetrics.Classification(labels, predicted, 2, weights);
        Assert.Equal(ClassificationMetrics.Accuracy(repeatedLabels, repeatedPredicted), weighted.Accuracy, 12);
        Assert.Equal(ClassificationMetrics.Precision(repeatedLabels, repeatedPredicted), weighted.Precision, 12);
        Assert.Equal(ClassificationMetrics.Recall(repeatedLabels, repeatedPredicted), weighted.Recall, 12);
        Assert.Equal(ClassificationMetrics.F1(repeatedLabels, repeatedPredicted), weighted.F1, 12);
        var actual = scores.Select(s => s * 10).ToArray();
        var guess = scores.Select((s, i) => (s * 10) + labels[i] - 0.5).ToArray();
        var (rmse, mae, r2, _) = WeightedMetrics.Regression(actual, guess, weights);
        var (ra, rg) = (new List<double>(), new List<double>());
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < weights[i]; k++)
            {
                ra.Add(actual[i]);
                rg.Add(guess[i]);
            }
        }
        Assert.Equal(RegressionMetrics.Rmse([.. ra], [.. rg]), rmse, 12);
        Assert.Equal(RegressionMetrics.Mae([.. ra], [.. rg]), mae, 12);
        Assert.Equal(RegressionMetrics.R2([.. ra], [.. rg]), r2, 12);
    }
}
