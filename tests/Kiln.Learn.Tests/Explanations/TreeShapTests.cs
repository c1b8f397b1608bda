using Kiln.Learn.Data;
using Kiln.Learn.Explanations;
using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
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
        // one row's decision-table rows are added by vector permutations where the machine has AVX-512, else one by one
        var scalar = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count, dense: false);
        var width = ModelExplanation.Width(model);
        var (a, b, c, d) = (new double[width], new double[width], new double[width], new double[width]);
        foreach (var row in Rows(model, Synthetic.Linear(100, seed: 5), 100))
        {
            decisions.Explain(row, a);
            patterns.Explain(row, b);
            paths.Explain(row, c);
            scalar.Explain(row, d);
            for (var j = 0; j < width; j++)
            {
                Assert.True(Math.Abs(a[j] - c[j]) < 1e-6, $"value {j}: decision tables {a[j]}, path algorithm {c[j]}");
                Assert.True(Math.Abs(a[j] - d[j]) < 1e-12, $"value {j}: decision tables added as vectors {a[j]}, one by one {d[j]}");
                Assert.True(Math.Abs(b[j] - c[j]) < 1e-6, $"value {j}: pattern tables {b[j]}, path algorithm {c[j]}");
            }
        }
    }

    [Fact]
    public void Missing_and_unknown_categories_are_explained_as_the_trees_send_them()
    {
        var (model, _) = Fit("binary with categories");
        var e = model.Ensemble;
        var decisions = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count);
        var paths = new TreeExplainer(e, e.Covers!, model.Schema.Features.Count, maxSlots: 0);
        var width = ModelExplanation.Width(model);
        var (a, b) = (new double[width], new double[width]);
        // missing, an unknown code, codes past any category, a fraction, and the known ones
        foreach (var code in new[] { double.NaN, -1, -0.5, 300, 1e12, 2.5, 0, 1, 3, 7 })
        {
            double[] row = [code];
            decisions.Explain(row, a);
            paths.Explain(row, b);
            for (var j = 0; j < width; j++)
            {
                Assert.True(Math.Abs(a[j] - b[j]) < 1e-6, $"code {code} value {j}: decision tables {a[j]}, path algorithm {b[j]}");
            }
            Assert.True(Math.Abs(a.Sum() - Raw(model, row)[0]) < 1e-6, $"code {code}: contributions sum to {a.Sum()}, the raw score is {Raw(model, row)[0]}");
        }
    }

    [Theory]
    [InlineData(30)] // deep, sparse trees over 30 features: records of 8 slots and of 16 in one model
    [InlineData(40)] // more features than the vector additions cover
    public void One_row_explanations_added_as_vectors_equal_the_scalar_additions(int features)
    {
        var rng = new Random(11);
        var columns = new List<Column>();
        // y counts the features above 0.15 in a row: the one place where that count is highest is found by a chain of
        // splits on distinct features, which makes the deepest records hold more than eight of them
        var y = new double[4000];
        for (var f = 0; f < features; f++)
        {
            var x = new double[y.Length];
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = rng.NextDouble();
                y[i] += x[i] > 0.15 ? 1 : 0;
            }
            columns.Add(new Float64Column($"x{f}", x));
        }
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = y[i] >= features - 2 ? 10 : 0;
        }
        columns.Add(new Float64Column("y", y));
        var data = new Table(columns);
        var model = new GbdtLearner().Fit(data, "y", new GbdtOptions { Task = TaskKind.Regression, Rounds = 15, MaxDepth = 8, MaxLeaves = 40 });
        var e = model.Ensemble;
        var tables = new DecisionTables(e, e.Covers!, features);
        var dense = Enumerable.Range(0, e.TreeCount).Count(tables.Dense);
        if (features > DecisionTables.DenseWidth || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Equal(0, dense);
        }
        else
        {
            // both kinds of tree in one model: records of 8 slots only, and some of 16
            var wide = Enumerable.Range(0, e.TreeCount).Count(t => e.Roots[t] >= 0 && tables.Handles(t) && !tables.Dense(t));
            Assert.True(dense >= 1 && wide >= 1, $"{dense} trees added as vectors, {wide} by scalar additions, of {e.TreeCount}");
        }
        var vectors = new TreeExplainer(e, e.Covers!, features);
        var scalar = new TreeExplainer(e, e.Covers!, features, dense: false);
        var width = ModelExplanation.Width(model);
        var (a, b) = (new double[width], new double[width]);
        foreach (var row in Rows(model, data, 50))
        {
            vectors.Explain(row, a);
            scalar.Explain(row, b);
            for (var j = 0; j < width; j++)
            {
                Assert.True(Math.Abs(a[j] - b[j]) < 1e-12, $"value {j}: added as vectors {a[j]}, one by one {b[j]}");
            }
            Assert.Contains(a, v => v != 0);
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
