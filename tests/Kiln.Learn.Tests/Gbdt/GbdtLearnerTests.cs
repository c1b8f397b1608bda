using Kiln.Learn.Gbdt;
using Kiln.Learn.Metrics;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Gbdt;

public sealed class GbdtLearnerTests
{
    private static readonly GbdtLearner Learner = new();

    [Theory]
    [InlineData(TaskKind.BinaryClassification)]
    [InlineData(TaskKind.MulticlassClassification)]
    public void A_table_of_a_few_rows_predicts_what_the_whole_table_predicts_for_them(TaskKind task)
    {
        var train = task == TaskKind.MulticlassClassification ? Synthetic.ThreeClasses(1500) : Synthetic.Categories(1500);
        var model = Learner.Fit(train, "y", new GbdtOptions { Task = task, Rounds = 30, MaxDepth = 5 });
        var all = model.Predict(train);
        var outputs = model.OutputCount;
        // 1–4 rows walk each row alone, 5–200 take one block, more the parallel blocks: every way gives the same numbers
        foreach (var (start, count) in new[] { (0, 1), (7, 2), (100, 4), (200, 5), (300, 33), (400, 200), (0, 1500) })
        {
            var some = model.Predict(train.Slice(start, count));
            for (var i = 0; i < count * outputs; i++)
            {
                Assert.True(Math.Abs(some[i] - all[(start * outputs) + i]) <= 1e-12, $"rows {start}+{count}, output {i}: {some[i]} vs {all[(start * outputs) + i]}");
            }
        }
        // on the calling thread alone (a busy server's choice) or on two: the same numbers
        Assert.Equal(all, model.Predict(train, maxThreads: 1));
        Assert.Equal(all, model.Predict(train, maxThreads: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(train, maxThreads: 0));
    }

    [Fact]
    public void A_depth_one_tree_finds_the_step()
    {
        var model = Learner.Fit(Synthetic.Step(2000), "y", new GbdtOptions { Rounds = 1, MaxDepth = 1, LearningRate = 1, Threads = 1 });
        Assert.Equal(1, model.TreeCount);
        var node = model.Ensemble.Nodes[model.Ensemble.Roots[0]];
        Assert.Equal(0, node.Feature);
        Assert.InRange(node.Threshold, 0.28, 0.32);
        Assert.Equal(1, model.Importance[0].Splits);
        Assert.Equal(0, model.Importance[1].Splits);
    }

    public static TheoryData<string, TaskKind, double> TrainingOutputCases => new()
    {
        { "binary with categories", TaskKind.BinaryClassification, 1 },
        { "multiclass", TaskKind.MulticlassClassification, 1 },
        { "regression", TaskKind.Regression, 1 },
        { "subsampled", TaskKind.BinaryClassification, 0.7 },
    };

    [Theory]
    [MemberData(nameof(TrainingOutputCases))]
    public void The_outputs_kept_from_training_are_what_the_model_predicts_for_its_training_rows(string name, TaskKind task, double subsample)
    {
        var train = task switch
        {
            TaskKind.MulticlassClassification => Synthetic.ThreeClasses(1500),
            TaskKind.Regression => Synthetic.Linear(1500),
            _ => Synthetic.Categories(1500),
        };
        var model = Learner.Fit(train, "y", new GbdtOptions { Task = task, Rounds = 25, MaxDepth = 4, Subsample = subsample });
        var kept = model.TakeTrainingOutputs();
        Assert.Null(model.TakeTrainingOutputs()); // taken once
        if (subsample < 1)
        {
            Assert.Null(kept); // rows outside a round's sample: the scores are not the model's predictions, so none are kept
            return;
        }
        Assert.NotNull(kept);
        var predicted = model.Predict(train);
        Assert.Equal(predicted.Length, kept.Length);
        for (var i = 0; i < kept.Length; i++)
        {
            Assert.True(Math.Abs(predicted[i] - kept[i]) <= 1e-9, $"{name}: output {i}: predicted {predicted[i]}, kept {kept[i]}");
        }
    }

    [Fact]
    public void Separable_classes_are_learned()
    {
        var train = Synthetic.Step(3000);
        var test = Synthetic.Step(1000, seed: 9);
        var model = Learner.Fit(train, "y", new GbdtOptions { Rounds = 30 });
        var p = model.Predict(test);
        var labels = Labels(test, "y");
        Assert.True(ClassificationMetrics.Accuracy(labels, ClassificationMetrics.Classify(p)) > 0.99);
        Assert.True(ProbabilityMetrics.RocAuc(labels, p) > 0.995);
    }

    [Fact]
    public void Block_prediction_matches_one_row_prediction()
    {
        var test = Synthetic.Step(1003, seed: 9);
        var model = Learner.Fit(Synthetic.Step(3000), "y", new GbdtOptions { Rounds = 20, MaxDepth = 4 });
        var batch = model.Predict(test);
        Span<double> output = stackalloc double[1];
        Span<double> row = stackalloc double[2];
        for (var i = 0; i < test.RowCount; i++)
        {
            row[0] = ((Float64Column)test["x"])[i];
            row[1] = ((Float64Column)test["noise"])[i];
            model.Predict(row, output);
            Assert.Equal(batch[i], output[0], 12);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Table_prediction_reads_float64_columns_in_place_and_treats_non_finite_values_as_missing(bool categoricalSplits)
    {
        // float64 (read in place), float32 and categorical (filled) features, missing values and ±∞ in the test rows;
        // the categorical feature is split natively, or seen as ordinal codes by a model without categorical splits
        static Table Make(int rows, int seed, bool test)
        {
            var rng = new Random(seed);
            var a = new double[rows];
            var b = new float[rows];
            var codes = new int[rows];
            var y = new double[rows];
            double[] odd = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
            for (var i = 0; i < rows; i++)
            {
                a[i] = rng.NextDouble();
                b[i] = (float)rng.NextDouble();
                codes[i] = rng.Next(4);
                y[i] = (a[i] > 0.4 ? 1 : 0) ^ (b[i] > 0.6 ? 1 : 0) ^ (codes[i] == 2 ? 1 : 0);
                if (rng.Next(8) == 0)
                {
                    codes[i] = -1; // a missing category (some nodes learn to send it left)
                }
                if (rng.Next(10) == 0)
                {
                    a[i] = test ? odd[rng.Next(3)] : double.NaN;
                }
                if (test && rng.Next(10) == 0)
                {
                    b[i] = float.PositiveInfinity;
                }
            }
            return new Table([new Float64Column("a", a), new Float32Column("b", b), new CategoricalColumn("c", codes, ["p", "q", "r", "s"]),
                new Float64Column("y", y)]);
        }
        var train = Make(4000, 1, test: false);
        if (!categoricalSplits)
        {
            var c = (CategoricalColumn)train["c"];
            train = new Table([train["a"], train["b"], new Float64Column("c", c.Codes.ToArray().Select(x => (double)x).ToArray()), train["y"]]);
        }
        var model = Learner.Fit(train, "y", new GbdtOptions { Rounds = 30, MaxDepth = 5 });
        Assert.Equal(categoricalSplits, model.Ensemble.Nodes.Any(n => (n.Info & Kiln.Learn.Model.FlatNode.CategoricalFlag) != 0));
        var test = Make(1001, 7, test: true);
        if (!categoricalSplits)
        {
            var c = (CategoricalColumn)test["c"];
            test = new Table([test["a"], test["b"], new Float64Column("c", c.Codes.ToArray().Select(x => (double)x).ToArray())]);
        }
        var batch = model.Predict(test);
        var a = ((Float64Column)test["a"]).Values;
        var b = ((Float32Column)test["b"]).Values;
        var output = new double[1];
        for (var i = 0; i < test.RowCount; i++)
        {
            double code = test["c"] is CategoricalColumn cat ? cat.Codes[i] : ((Float64Column)test["c"]).Values[i];
            double[] row = [double.IsFinite(a[i]) ? a[i] : double.NaN, float.IsFinite(b[i]) ? b[i] : double.NaN, code];
            model.Predict(row, output);
            Assert.Equal(output[0], batch[i]);
            // and the plain tree walk, which shares no code with either
            model.Ensemble.PredictReference(row, output);
            Assert.Equal(output[0], batch[i]);
        }
        // categories no set holds (codes past the model's categories share one list of nodes) and a missing one
        var expected = new double[1];
        foreach (var code in new[] { 4.0, 7, 200, 254, double.NaN })
        {
            double[] row = [0.5, 0.5f, code];
            model.Predict(row, output);
            model.Ensemble.PredictReference(row, expected);
            Assert.Equal(expected[0], output[0]);
        }
    }

    [Fact]
    public void The_model_does_not_depend_on_the_thread_count()
    {
        // histogram sums are exact integer sums of the quantised pairs, so splitting rows over threads changes nothing
        var train = NoisySynthetic.Binary(80_000);
        var options = new GbdtOptions { Rounds = 15, MaxDepth = 5, Subsample = 0.8, ColumnSample = 0.8, Seed = 4 };
        var one = Learner.Fit(train, "y", options with { Threads = 1 });
        var two = Learner.Fit(train, "y", options with { Threads = 2 });
        var test = NoisySynthetic.Binary(2000, seed: 12);
        Assert.Equal(one.Predict(test), two.Predict(test));
    }

    internal static int[] Labels(Table table, string target) =>
        [.. Enumerable.Range(0, table.RowCount).Select(i => ((NumericColumn)table[target]).GetValue(i) > 0.5 ? 1 : 0)];
}

public sealed class GbdtObjectiveTests
{
    private static readonly GbdtLearner Learner = new();

    [Fact]
    public void Multiclass_softmax_learns_three_classes()
    {
        var model = Learner.Fit(Synthetic.ThreeClasses(3000), "y", new GbdtOptions { Task = TaskKind.MulticlassClassification, Rounds = 40 });
        var test = Synthetic.ThreeClasses(600, seed: 8);
        var p = model.Predict(test);
        Assert.Equal(3, model.OutputCount);
        Assert.Equal(["blue", "green", "red"], model.Schema.Classes);
        var actual = ((CategoricalColumn)test["y"]).Codes.ToArray();
        Assert.True(ClassificationMetrics.Accuracy(actual, ClassificationMetrics.ArgMax(p, 3)) > 0.97);
        Assert.Equal(1.0, p[0] + p[1] + p[2], 9);
    }

    [Fact]
    public void Squared_error_fits_linear_data()
    {
        var model = Learner.Fit(Synthetic.Linear(4000), "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 200, MaxDepth = 3 });
        var test = Synthetic.Linear(500, seed: 7);
        var actual = ((Float64Column)test["y"]).Values.ToArray();
        Assert.True(RegressionMetrics.R2(actual, model.Predict(test)) > 0.98);
    }

    [Theory]
    [InlineData(RegressionLoss.AbsoluteError)]
    [InlineData(RegressionLoss.Huber)]
    public void Robust_losses_ignore_outliers(RegressionLoss loss)
    {
        var clean = Synthetic.Linear(3000);
        var y = ((Float64Column)clean["y"]).Values.ToArray();
        for (var i = 0; i < y.Length; i += 20)
        {
            y[i] += 1000;
        }
        var dirty = clean.WithColumn(new Float64Column("y", y));
        var options = new GbdtOptions { Task = TaskKind.Regression, Rounds = 150, MaxDepth = 3, Loss = loss, LearningRate = 0.2 };
        var robust = Learner.Fit(dirty, "y", options);
        var squared = Learner.Fit(dirty, "y", options with { Loss = RegressionLoss.SquaredError });
        var test = Synthetic.Linear(500, seed: 7);
        var actual = ((Float64Column)test["y"]).Values.ToArray();
        var robustMae = RegressionMetrics.Mae(actual, robust.Predict(test));
        Assert.True(robustMae < (loss == RegressionLoss.Huber ? 0.5 : 1.5), $"MAE {robustMae}");
        Assert.True(robustMae < RegressionMetrics.Mae(actual, squared.Predict(test)));
    }

    [Fact]
    public void Categorical_split_groups_the_categories()
    {
        var model = Learner.Fit(Synthetic.Categories(2000), "y", new GbdtOptions { Rounds = 1, MaxDepth = 1, LearningRate = 1 });
        Span<double> output = stackalloc double[1];
        var high = new List<int>();
        for (var code = 0; code < 8; code++)
        {
            model.Predict([code], output);
            if (output[0] > 0.5)
            {
                high.Add(code);
            }
        }
        Assert.Equal([1, 3, 5], high);
    }

    [Fact]
    public void Missing_values_learn_a_default_direction()
    {
        // x missing ⇔ class 1; x present: class 1 only when x > 0.8
        var rng = new Random(5);
        var x = new double[2000];
        var y = new double[2000];
        for (var i = 0; i < x.Length; i++)
        {
            var missing = i % 3 == 0;
            x[i] = missing ? double.NaN : rng.NextDouble();
            y[i] = missing || x[i] > 0.8 ? 1 : 0;
        }
        var table = new Table([new Float64Column("x", x), new Float64Column("y", y)]);
        var model = Learner.Fit(table, "y", new GbdtOptions { Rounds = 20, MaxDepth = 2 });
        Span<double> output = stackalloc double[1];
        model.Predict([double.NaN], output);
        Assert.True(output[0] > 0.9);
        model.Predict([double.PositiveInfinity], output);
        Assert.True(output[0] > 0.9, "infinity is missing too");
        model.Predict([0.5], output);
        Assert.True(output[0] < 0.1);
    }

    [Fact]
    public void Leaf_wise_growth_respects_max_leaves()
    {
        var model = Learner.Fit(Synthetic.Linear(2000), "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 3, MaxDepth = 0, MaxLeaves = 5 });
        var leaves = model.Ensemble.Nodes.Length;
        Assert.Equal(3 * 4, leaves);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_round()
    {
        var (train, valid) = (Synthetic.Step(1000), Synthetic.Step(500, seed: 11));
        var reports = new List<TrainingProgress>();
        var model = Learner.Fit(train, "y", new GbdtOptions { Rounds = 500, LearningRate = 0.5, EarlyStoppingRounds = 5 }, valid,
            new SynchronousProgress(reports.Add));
        Assert.True(reports.Count < 500);
        var best = int.Parse(model.Properties["best_round"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(reports.Count - 5, best);
        Assert.Equal(best, model.TreeCount);
        Assert.All(reports, r => Assert.NotNull(r.ValidationLoss));
        Assert.False(double.IsNaN(reports[0].TrainLoss));
    }

    [Fact]
    public void Same_seed_gives_the_same_model()
    {
        var options = new GbdtOptions { Rounds = 10, Subsample = 0.7, ColumnSample = 0.5, Seed = 3 };
        var a = Learner.Fit(Synthetic.Step(2000), "y", options).Predict(Synthetic.Step(100, 5));
        var b = Learner.Fit(Synthetic.Step(2000), "y", options).Predict(Synthetic.Step(100, 5));
        var c = Learner.Fit(Synthetic.Step(2000), "y", options with { Seed = 4 }).Predict(Synthetic.Step(100, 5));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Cancellation_stops_the_fit()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Iteration == 2)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Learner.Fit(Synthetic.Step(500), "y", new GbdtOptions { Rounds = 100 }, progress: progress, cancellationToken: cts.Token));
    }

    [Fact]
    public void Options_out_of_range_name_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new GbdtOptions { LearningRate = 2 }.Validate());
        Assert.Equal("LearningRate", e.ParamName);
        Assert.Contains("between", e.Message, StringComparison.Ordinal);
        Assert.Equal("MaxBins", Assert.Throws<ArgumentException>(() => new GbdtOptions { MaxBins = 300 }.Validate()).ParamName);
        Assert.Equal("Threads", Assert.Throws<ArgumentException>(() => new GbdtOptions { Threads = 0 }.Validate()).ParamName);
    }
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}

public sealed class FastExpTests
{
    [Fact]
    public void Vector_exp_matches_Math_Exp_to_a_few_ulps()
    {
        var rng = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var x = i < 10 ? new[] { 0.0, -0.0, 1, -1, 700, -700, 708, -708, 1e-300, -1e-300 }[i] : (rng.NextDouble() - 0.5) * 1400;
            var got = Kiln.Learn.Gbdt.LogisticObjective.Exp(System.Runtime.Intrinsics.Vector256.Create(x))[0];
            var want = Math.Exp(x);
            Assert.True(Math.Abs(got - want) <= 8e-16 * want, $"exp({x}) = {got}, expected {want}");
        }
        Assert.Equal(Math.Exp(-708), Kiln.Learn.Gbdt.LogisticObjective.Exp(System.Runtime.Intrinsics.Vector256.Create(-1000.0))[0], 1e-320);
    }
}

public sealed class FastLog1pTests
{
    [Fact]
    public void Vector_log1p_on_the_unit_interval_matches_Math_Log()
    {
        var rng = new Random(8);
        for (var i = 0; i < 20_000; i++)
        {
            var x = i < 6 ? new[] { 0.0, 1.0, 1e-300, 1e-10, 0.5, 0.999999 }[i] : rng.NextDouble() * (i % 3 == 0 ? 1e-6 : 1);
            var got = Kiln.Learn.Gbdt.LogisticObjective.Log1pUnit(System.Runtime.Intrinsics.Vector256.Create(x))[0];
            // ln(1 + x) = 2 atanh(x / (2 + x)) without the rounding of 1 + x that Math.Log(1 + x) suffers for small x
            var exact = 2 * Math.Atanh(x / (2 + x));
            Assert.True(Math.Abs(got - exact) <= 1e-13 * exact + 1e-300, $"log1p({x}) = {got}, expected {exact}");
        }
    }
}
