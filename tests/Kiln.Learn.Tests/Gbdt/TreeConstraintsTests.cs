using Kiln.Learn.Gbdt;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Tests.Gbdt;

/// <summary>Monotone and interaction constraints on boosted trees.</summary>
public sealed class TreeConstraintsTests
{
    /// <summary>y rises with x0 but wiggles (sin), falls with x1 but wiggles, and depends on x2 and x3 and their product.</summary>
    private static Table Wiggly(int rows, int seed, TaskKind task)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, 4).Select(_ => new double[rows]).ToArray();
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var f = 0; f < 4; f++)
            {
                x[f][i] = (rng.NextDouble() * 6) - 3;
            }
            var score = x[0][i] + (1.5 * Math.Sin(3 * x[0][i])) - x[1][i] + Math.Sin(4 * x[1][i]) + (x[2][i] * x[3][i]) + (rng.NextDouble() - 0.5);
            y[i] = task == TaskKind.Regression ? score : score > 0 ? 1 : 0;
        }
        return new Table([.. x.Select((v, f) => (Column)new Float64Column($"x{f}", v)), task == TaskKind.Regression ? new Float64Column("y", y) : new TextColumn("y", [.. y.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))])]);
    }

    /// <summary>The largest step against the direction over many random rows, each moved along a grid of the feature.</summary>
    private static double WorstViolation(TrainedModel model, int feature, int sign, int seed)
    {
        var rng = new Random(seed);
        var row = new double[4];
        var output = new double[model.OutputCount];
        var worst = 0.0;
        for (var r = 0; r < 300; r++)
        {
            for (var f = 0; f < 4; f++)
            {
                row[f] = (rng.NextDouble() * 6) - 3;
            }
            var previous = double.NaN;
            for (var v = -3.5; v <= 3.5; v += 0.02)
            {
                row[feature] = v;
                model.Predict(row, output);
                if (!double.IsNaN(previous))
                {
                    worst = Math.Max(worst, sign * (previous - output[0]));
                }
                previous = output[0];
            }
        }
        return worst;
    }

    [Theory]
    [InlineData(TaskKind.Regression)]
    [InlineData(TaskKind.BinaryClassification)]
    public void Predictions_are_monotone_along_each_constrained_feature_over_many_rows(TaskKind task)
    {
        var train = Wiggly(4000, 1, task);
        var free = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = task, Rounds = 60, MaxDepth = 5 });
        Assert.True(WorstViolation(free, 0, +1, 7) > 1e-3, "without constraints the wiggle shows (the check can fail)");
        var constrained = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = task, Rounds = 60, MaxDepth = 5, Monotone = "x0:+1,x1:-1" });
        Assert.Equal(0, WorstViolation(constrained, 0, +1, 7));
        Assert.Equal(0, WorstViolation(constrained, 1, -1, 8));
        // still a useful model: it rises with x0 overall
        var output = new double[1];
        constrained.Predict([-2.5, 0, 0, 0], output);
        var low = output[0];
        constrained.Predict([2.5, 0, 0, 0], output);
        Assert.True(output[0] > low);
    }

    [Fact]
    public void Leaf_wise_trees_keep_monotone_too()
    {
        var train = Wiggly(3000, 2, TaskKind.Regression);
        var model = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 40, MaxDepth = 0, MaxLeaves = 24, Monotone = "x1:-1" });
        Assert.Equal(0, WorstViolation(model, 1, -1, 3));
    }

    [Fact]
    public void Every_branch_splits_on_features_of_one_interaction_group()
    {
        var train = Wiggly(3000, 3, TaskKind.Regression);
        var model = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 30, MaxDepth = 4, Interactions = "[[x0,x2],[x1,x3]]" });
        int[][] groups = [[0, 2], [1, 3]];
        var e = model.Ensemble;
        var paths = 0;
        void Walk(int node, HashSet<int> used)
        {
            if (node < 0)
            {
                paths++;
                Assert.True(groups.Any(g => used.IsSubsetOf(g)), $"a branch splits on {string.Join(",", used)}");
                return;
            }
            var n = e.Nodes[node];
            Walk(n.Left, [.. used, n.Feature]);
            Walk(n.Right, [.. used, n.Feature]);
        }
        foreach (var root in e.Roots)
        {
            Walk(root, []);
        }
        Assert.True(paths > 100);
        // without constraints, x2 and x3 (whose product matters) share branches
        var free = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 30, MaxDepth = 4 });
        Assert.Contains(free.Ensemble.Nodes, n => n.Feature == 2 && (Sub(free, n.Left).Contains(3) || Sub(free, n.Right).Contains(3)));
    }

    private static HashSet<int> Sub(GbdtModel model, int node)
    {
        var set = new HashSet<int>();
        void Walk(int x)
        {
            if (x < 0)
            {
                return;
            }
            set.Add(model.Ensemble.Nodes[x].Feature);
            Walk(model.Ensemble.Nodes[x].Left);
            Walk(model.Ensemble.Nodes[x].Right);
        }
        Walk(node);
        return set;
    }

    [Theory]
    [InlineData("x0", "needs a direction")]
    [InlineData("x9:+1", "no feature 'x9'")]
    public void Bad_constraints_say_what_is_wrong(string monotone, string message)
    {
        var e = Assert.Throws<LearnException>(() => new GbdtLearner().Fit(Wiggly(200, 4, TaskKind.Regression), "y",
            new GbdtOptions { Task = TaskKind.Regression, Rounds = 2, Monotone = monotone }));
        Assert.Contains(message, e.Message);
        Assert.Contains("list of feature groups", Assert.Throws<LearnException>(() => new GbdtLearner().Fit(Wiggly(200, 4, TaskKind.Regression), "y",
            new GbdtOptions { Task = TaskKind.Regression, Rounds = 2, Interactions = "x0,x1" })).Message);
    }
}
