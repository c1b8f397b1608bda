using Kiln.Learn.Data;
using Kiln.Learn.Explanations;
using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;
using Kiln.Tabular;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Explanations;

public sealed class TreeShapTests
{
    /// <summary>The rows of <paramref name="table"/> in the model's feature order (categories as codes).</summary>
    private static double[][] Rows(TrainedModel model, Table table, int count)
    {
        var view = FeatureView.Bind(table, model.Schema);
        var features = model.Schema.Features.Count;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var row = new double[features];
            for (var f = 0; f < features; f++)
            {
                view.Fill(f, i, row.AsSpan(f, 1));
            }
            return row;
        })];
    }

    /// <summary>E[tree | the features in <paramref name="known"/> are the row's]: the cover-weighted mean over the others.</summary>
    private static double Expected(TreeEnsemble e, int node, double[] row, int known)
    {
        if (node < 0)
        {
            return e.Leaves[~node];
        }
        var n = e.Nodes[node];
        if ((known & (1 << n.Feature)) != 0)
        {
            return Expected(e, e.GoesLeft(node, row[n.Feature]) ? n.Left : n.Right, row, known);
        }
        double Cover(int c) => c < 0 ? e.Covers!.Leaves[~c] : e.Covers!.Nodes[c];
        var (l, r) = (Cover(n.Left), Cover(n.Right));
        return ((Expected(e, n.Left, row, known) * l) + (Expected(e, n.Right, row, known) * r)) / (l + r);
    }

    /// <summary>Shapley values from their definition: every subset of features, weighted |S|!(F−|S|−1)!/F!.</summary>
    private static double[] BruteForce(TreeModel model, double[] row)
    {
        var e = model.Ensemble;
        var features = model.Schema.Features.Count;
        var outputs = model.OutputCount;
        var result = new double[outputs * (features + 1)];
        double Value(int k, int known)
        {
            var sum = e.BaseScores[k];
            for (var t = 0; t < e.TreeCount; t++)
            {
                if (e.TreeOutputs[t] == k)
                {
                    sum += e.Scale * Expected(e, e.Roots[t], row, known);
                }
            }
            return sum;
        }
        static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
        for (var k = 0; k < outputs; k++)
        {
            for (var f = 0; f < features; f++)
            {
                var phi = 0.0;
                for (var s = 0; s < 1 << features; s++)
                {
                    if ((s & (1 << f)) != 0)
                    {
                        continue;
                    }
                    var size = System.Numerics.BitOperations.PopCount((uint)s);
                    phi += Factorial(size) * Factorial(features - size - 1) / Factorial(features) * (Value(k, s | (1 << f)) - Value(k, s));
                }
                result[(k * (features + 1)) + f] = phi;
            }
            result[(k * (features + 1)) + features] = Value(k, 0);
        }
        return result;
    }

    /// <summary>The raw score (margin) the contributions must sum to.</summary>
    private static double[] Raw(TreeModel model, double[] row)
    {
        var e = model.Ensemble;
        var raw = e.BaseScores.ToArray();
        for (var t = 0; t < e.TreeCount; t++)
        {
            var node = e.Roots[t];
            while (node >= 0)
            {
                var n = e.Nodes[node];
                node = e.GoesLeft(node, row[n.Feature]) ? n.Left : n.Right;
            }
            raw[e.TreeOutputs[t]] += e.Scale * e.Leaves[~node];
        }
        return raw;
    }

    public static TheoryData<string> Models => ["binary with categories", "multiclass", "regression", "forest"];

    private static (TreeModel Model, Table Data) Fit(string name) => name switch
    {
        "binary with categories" => (new GbdtLearner().Fit(Synthetic.Categories(1200), "y",
            new GbdtOptions { Task = TaskKind.BinaryClassification, Rounds = 25, MaxDepth = 4 }), Synthetic.Categories(200, seed: 9)),
        "multiclass" => (new GbdtLearner().Fit(Synthetic.ThreeClasses(1200), "y",
            new GbdtOptions { Task = TaskKind.MulticlassClassification, Rounds = 10, MaxDepth = 4 }), Synthetic.ThreeClasses(200, seed: 9)),
        "regression" => (new GbdtLearner().Fit(Synthetic.Linear(1200), "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 20, MaxDepth = 5 }), Synthetic.Linear(200, seed: 9)),
        _ => (new ForestLearner().Fit(Synthetic.ThreeClasses(1200), "y", new ForestOptions { Task = TaskKind.MulticlassClassification, Trees = 15, MaxDepth = 6 }), Synthetic.ThreeClasses(200, seed: 9)),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Contributions_are_the_Shapley_values_of_the_cover_weighted_expectation_and_sum_to_the_raw_score(string name)
    {
        var (model, data) = Fit(name);
        Assert.Null(model.ExplainUnavailable);
        var rows = Rows(model, data, 40);
        var width = ModelExplanation.Width(model);
        var table = model.Explain(data);
        Assert.Equal(data.RowCount * width, table.Length);
        var one = new double[width];
        for (var i = 0; i < rows.Length; i++)
        {
            var expected = BruteForce(model, rows[i]);
            model.Explain(rows[i], one);
            for (var j = 0; j < width; j++)
            {
                Assert.True(Math.Abs(expected[j] - one[j]) < 1e-6, $"{name} row {i} value {j}: {one[j]} vs brute force {expected[j]}");
                Assert.True(Math.Abs(table[(i * width) + j] - one[j]) < 1e-12, $"{name} row {i} value {j}: the table's {table[(i * width) + j]} vs one row's {one[j]}");
            }
            var raw = Raw(model, rows[i]);
            for (var k = 0; k < model.OutputCount; k++)
            {
                var sum = one.AsSpan(k * (model.Schema.Features.Count + 1), model.Schema.Features.Count + 1).ToArray().Sum();
                Assert.True(Math.Abs(sum - raw[k]) < 1e-6, $"{name} row {i} output {k}: contributions sum to {sum}, the raw score is {raw[k]}");
            }
        }
    }

    [Fact]
    public void Tables_and_the_path_algorithm_agree_on_trees_with_repeated_features()
    {
        // depth 8 over 3 features: every path splits some feature more than once
        var model = new GbdtLearner().Fit(Synthetic.Linear(3000), "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 10, MaxDepth = 8 });
        var e = model.Ensemble;
        // three layouts: decision-indexed records (the default for trees this shallow), pattern-indexed tables, the path algorithm
        var decisions = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count);
        var patterns = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count, decisions: false);
        var paths = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count, maxSlots: 0);
        var width = ModelExplanation.Width(model);
        var (a, b, c) = (new double[width], new double[width], new double[width]);
        foreach (var row in Rows(model, Synthetic.Linear(100, seed: 5), 100))
        {
            decisions.Explain(row, a);
            patterns.Explain(row, b);
            paths.Explain(row, c);
            for (var j = 0; j < width; j++)
            {
                Assert.True(Math.Abs(a[j] - c[j]) < 1e-6, $"value {j}: decision tables {a[j]}, path algorithm {c[j]}");
                Assert.True(Math.Abs(b[j] - c[j]) < 1e-6, $"value {j}: pattern tables {b[j]}, path algorithm {c[j]}");
            }
        }
    }

    [Fact]
    public void Covers_survive_the_model_file_and_a_file_without_them_says_what_to_do()
    {
        var (model, data) = Fit("binary with categories");
        using var current = new MemoryStream();
        model.Save(current);
        current.Position = 0;
        var loaded = (TreeModel)TrainedModel.Load(current);
        Assert.Equal(model.Explain(data), loaded.Explain(data));

        using var old = new MemoryStream();
        ModelFile.Save(model, old, 2);
        old.Position = 0;
        var before = TrainedModel.Load(old);
        Assert.Equal(model.Predict(data), before.Predict(data));
        Assert.Contains("node covers", before.ExplainUnavailable);
        Assert.Contains("retrain", Assert.Throws<LearnException>(() => before.Explain(data)).Message);
    }

    [Fact]
    public void Covers_add_up_from_the_leaves_to_the_root()
    {
        var (model, _) = Fit("regression");
        var e = model.Ensemble;
        double Cover(int c) => c < 0 ? e.Covers!.Leaves[~c] : e.Covers!.Nodes[c];
        for (var i = 0; i < e.Nodes.Length; i++)
        {
            var n = e.Nodes[i];
            Assert.True(Math.Abs(Cover(n.Left) + Cover(n.Right) - e.Covers!.Nodes[i]) < 1e-6 * e.Covers.Nodes[i], $"node {i}");
            Assert.True(e.Covers.Nodes[i] > 0);
        }
    }
}
