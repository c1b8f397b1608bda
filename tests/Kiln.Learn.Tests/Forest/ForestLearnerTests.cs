using Kiln.Learn.Forest;
using Kiln.Learn.Metrics;
using Kiln.Learn.Tests.Gbdt;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Forest;

public sealed class ForestLearnerTests
{
    private static readonly ForestLearner Learner = new();

    [Fact]
    public void A_forest_beats_a_single_tree_on_noisy_data()
    {
        var train = NoisySynthetic.Binary(4000);
        var test = NoisySynthetic.Binary(2000, seed: 12);
        var labels = GbdtLearnerTests.Labels(test, "y");
        var tree = Learner.Fit(train, "y", new ForestOptions { Trees = 1, Bootstrap = false, MaxFeatures = 1 });
        var forest = Learner.Fit(train, "y", new ForestOptions { Trees = 60 });
        var treeAuc = ProbabilityMetrics.RocAuc(labels, tree.Predict(test));
        var forestAuc = ProbabilityMetrics.RocAuc(labels, forest.Predict(test));
        Assert.True(forestAuc > treeAuc + 0.05, $"forest {forestAuc}, tree {treeAuc}");
        Assert.True(forestAuc > 0.8, $"forest {forestAuc}");
        Assert.Equal(60, forest.TreeCount);
    }

    [Fact]
    public void The_out_of_bag_score_is_close_to_the_held_out_accuracy()
    {
        var train = NoisySynthetic.Binary(4000);
        var test = NoisySynthetic.Binary(4000, seed: 13);
        var model = Learner.Fit(train, "y", new ForestOptions { Trees = 60 });
        var labels = GbdtLearnerTests.Labels(test, "y");
        var heldOut = ClassificationMetrics.Accuracy(labels, ClassificationMetrics.Classify(model.Predict(test)));
        Assert.InRange(model.OutOfBagScore, heldOut - 0.03, heldOut + 0.03);
        Assert.Equal(model.OutOfBagScore, double.Parse(model.Properties["oob_score"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Multiclass_votes_are_probabilities()
    {
        var model = Learner.Fit(Synthetic.ThreeClasses(3000), "y", new ForestOptions { Task = TaskKind.MulticlassClassification, Trees = 30 });
        var test = Synthetic.ThreeClasses(600, seed: 8);
        var p = model.Predict(test);
        var actual = ((CategoricalColumn)test["y"]).Codes.ToArray();
        Assert.Equal(3, model.OutputCount);
        Assert.Equal(90, model.TreeCount);
        Assert.True(ClassificationMetrics.Accuracy(actual, ClassificationMetrics.ArgMax(p, 3)) > 0.97);
        Assert.Equal(1.0, p[0] + p[1] + p[2], 9);
        Assert.True(model.OutOfBagScore > 0.95);
    }

    [Fact]
    public void A_multiclass_iteration_is_one_tree_split_on_all_classes_at_once()
    {
        var model = Learner.Fit(NoisyThreeClasses(2000), "y",
            new ForestOptions { Task = TaskKind.MulticlassClassification, Trees = 8, MaxFeatures = 0.5 });
        var ensemble = model.Ensemble;
        Assert.Equal(24, ensemble.TreeCount);
        for (var i = 0; i < 8; i++)
        {
            // the class trees of an iteration: the same splits, and leaves that hold class frequencies summing to one
            var leaves = new[] { 0, 1, 2 }.Select(k => Leaves(ensemble, ensemble.Roots[(i * 3) + k], ensemble.Roots[i * 3])).ToArray();
            Assert.True(leaves[0].Count > 10, $"tree {i} has {leaves[0].Count} leaves");
            for (var j = 0; j < leaves[0].Count; j++)
            {
                Assert.Equal(1.0, leaves[0][j] + leaves[1][j] + leaves[2][j], 12);
            }
        }
    }

    /// <summary>Three classes from two numeric features and a categorical one, a fifth of the labels drawn at random.</summary>
    private static Kiln.Tabular.Table NoisyThreeClasses(int rows)
    {
        var rng = new Random(21);
        var a = new double[rows];
        var b = new double[rows];
        var codes = new int[rows];
        var y = new string?[rows];
        string[] names = ["red", "green", "blue"];
        for (var i = 0; i < rows; i++)
        {
            a[i] = rng.NextDouble();
            b[i] = rng.NextDouble();
            codes[i] = rng.Next(4);
            var k = a[i] < 0.3 ? 0 : codes[i] % 2 == 0 && b[i] < 0.6 ? 1 : 2;
            y[i] = names[rng.Next(5) == 0 ? rng.Next(3) : k];
        }
        return new Kiln.Tabular.Table([new Float64Column("a", a), new Float64Column("b", b),
            new CategoricalColumn("c", codes, ["w", "x", "y", "z"]), CategoricalColumn.FromValues("y", y)]);
    }

    /// <summary>The leaf values of the tree at <paramref name="root"/> in depth-first order, checking on the way that its
    /// nodes test what the nodes of the tree at <paramref name="shape"/> test.</summary>
    private static List<double> Leaves(Kiln.Learn.Model.TreeEnsemble ensemble, int root, int shape)
    {
        var values = new List<double>();
        Walk(root, shape);
        return values;

        void Walk(int node, int other)
        {
            Assert.Equal(node < 0, other < 0);
            if (node < 0)
            {
                values.Add(ensemble.Leaves[~node]);
                return;
            }
            var (a, b) = (ensemble.Nodes[node], ensemble.Nodes[other]);
            // the flags, not the category set's position (each tree has its own copy)
            const int flags = Kiln.Learn.Model.FlatNode.DefaultLeftFlag | Kiln.Learn.Model.FlatNode.CategoricalFlag;
            Assert.Equal((b.Feature, b.Threshold, b.Info & flags), (a.Feature, a.Threshold, a.Info & flags));
            Walk(a.Left, b.Left);
            Walk(a.Right, b.Right);
        }
    }

    [Fact]
    public void Regression_averages_tree_values()
    {
        var model = Learner.Fit(Synthetic.Linear(3000), "y", new ForestOptions { Task = TaskKind.Regression, Trees = 40 });
        var test = Synthetic.Linear(500, seed: 7);
        var actual = ((Float64Column)test["y"]).Values.ToArray();
        Assert.True(RegressionMetrics.R2(actual, model.Predict(test)) > 0.97);
        Assert.True(model.OutOfBagScore > 0.95);
        Assert.True(model.Importance[0].Gain > model.Importance[2].Gain);
    }

    [Fact]
    public void The_model_depends_on_the_seed_not_the_thread_count()
    {
        var train = NoisySynthetic.Binary(1500);
        var one = Learner.Fit(train, "y", new ForestOptions { Trees = 12, Threads = 1, Seed = 5 }).Predict(train);
        var two = Learner.Fit(train, "y", new ForestOptions { Trees = 12, Threads = 2, Seed = 5 }).Predict(train);
        var other = Learner.Fit(train, "y", new ForestOptions { Trees = 12, Threads = 2, Seed = 6 }).Predict(train);
        Assert.Equal(one, two);
        Assert.NotEqual(one, other);
    }

    [Fact]
    public void Progress_is_reported_once_per_tree_with_the_out_of_bag_loss()
    {
        var reports = new List<TrainingProgress>();
        var validation = NoisySynthetic.Binary(500, seed: 14);
        Learner.Fit(NoisySynthetic.Binary(1000), "y", new ForestOptions { Trees = 10 }, validation, new SynchronousProgress(reports.Add));
        Assert.Equal(Enumerable.Range(1, 10), reports.Select(r => r.Iteration));
        Assert.All(reports, r => Assert.Equal(10, r.TotalIterations));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.TrainLoss) && r.ValidationLoss > 0));
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);
    }

    [Fact]
    public void Cancellation_stops_between_trees()
    {
        using var cancel = new CancellationTokenSource();
        var reports = 0;
        var progress = new SynchronousProgress(_ =>
        {
            if (++reports == 3)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Learner.Fit(NoisySynthetic.Binary(1000), "y", new ForestOptions { Trees = 100, Threads = 1 }, null, progress, cancel.Token));
        Assert.InRange(reports, 3, 4);
    }

    [Fact]
    public void Save_and_load_give_identical_predictions()
    {
        var train = NoisySynthetic.Binary(1500);
        var model = Learner.Fit(train, "y", new ForestOptions { Trees = 10 });
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = Assert.IsType<ForestModel>(TrainedModel.Load(stream));
        Assert.Equal(model.Predict(train), loaded.Predict(train));
        Assert.Equal(model.OutOfBagScore, loaded.OutOfBagScore);
        Assert.Equal(model.Importance, loaded.Importance);
    }

    [Theory]
    [InlineData("Trees")]
    [InlineData("MaxFeatures")]
    [InlineData("MaxSamples")]
    [InlineData("MinSamplesLeaf")]
    public void Bad_options_are_named(string option)
    {
        var options = option switch
        {
            "Trees" => new ForestOptions { Trees = 0 },
            "MaxFeatures" => new ForestOptions { MaxFeatures = 1.5 },
            "MaxSamples" => new ForestOptions { MaxSamples = 0 },
            _ => new ForestOptions { MinSamplesLeaf = 0 },
        };
        var e = Assert.Throws<ArgumentException>(() => Learner.Fit(Synthetic.Step(100), "y", options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void Bad_data_names_the_column()
    {
        var e = Assert.Throws<LearnException>(() => Learner.Fit(Synthetic.Step(100), "label", new ForestOptions()));
        Assert.Contains("'label'", e.Message);
    }
}
