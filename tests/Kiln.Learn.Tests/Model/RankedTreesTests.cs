using System.Runtime.Intrinsics.X86;
using Kiln.Learn.Model;

namespace Kiln.Learn.Tests.Model;

public sealed class RankedTreesTests
{
    private const int Features = 9;

    /// <summary>Features below this index are categorical in ensembles made with categories (codes 0–199).</summary>
    private const int CategoricalFeatures = 3;

    /// <summary>Random numeric trees of depth ≤ <paramref name="maxDepth"/>: leaves above the bottom level, single-leaf
    /// trees, missing directions both ways, thresholds on a grid of <paramref name="grid"/> values (so rows often sit
    /// exactly on one), a few +∞ and −∞ thresholds.</summary>
    private static TreeEnsemble RandomEnsemble(int seed, int outputs, int trees, int maxDepth, int grid, bool categories = false, int features = Features)
    {
        var rng = new Random(seed);
        var nodes = new List<FlatNode>();
        var leaves = new List<double>();
        var bits = new List<uint>();
        var roots = new List<int>();
        var treeOutputs = new List<int>();
        for (var t = 0; t < trees; t++)
        {
            roots.Add(Grow(0, t % 13 == 4 ? 0 : maxDepth - (t % 5 == 2 ? 2 : 0)));
            treeOutputs.Add(t % outputs);
        }
        return new TreeEnsemble([.. nodes], [.. leaves], [.. bits], [.. roots], [.. treeOutputs],
            [.. Enumerable.Range(0, outputs).Select(k => 0.1 * k)], outputs == 1 ? OutputTransform.Sigmoid : OutputTransform.Softmax, 0.5);

        int Grow(int level, int depth)
        {
            if (level >= depth || (level > 1 && rng.NextDouble() < 0.1))
            {
                leaves.Add(rng.NextDouble() - 0.5);
                return ~(leaves.Count - 1);
            }
            var index = nodes.Count;
            nodes.Add(default);
            var u = rng.NextDouble();
            var threshold = u < 0.01 ? double.PositiveInfinity : u < 0.02 ? double.NegativeInfinity : Threshold(rng, grid);
            var feature = rng.Next(features);
            var info = rng.Next(2) == 0 ? FlatNode.DefaultLeftFlag : 0;
            if (categories && feature < CategoricalFeatures)
            {
                info |= FlatNode.CategoricalFlag | (bits.Count << 2);
                for (var w = 0; w < FlatNode.CategoryWords; w++)
                {
                    bits.Add((uint)rng.Next() ^ ((uint)rng.Next() << 16));
                }
                threshold = 0;
            }
            var left = Grow(level + 1, depth);
            var right = Grow(level + 1, depth);
            nodes[index] = new FlatNode { Feature = feature, Threshold = threshold, Left = left, Right = right, Info = info };
            return index;
        }
    }

    private static double Threshold(Random rng, int grid) => rng.Next(grid) * 10.0 / grid;

    private static double[] RandomRow(Random rng, int grid, int features = Features)
    {
        var row = new double[features];
        for (var f = 0; f < features; f++)
        {
            if (f < CategoricalFeatures && rng.Next(2) == 0)
            {
                // a category code, or one the reference walk sends the missing way (or truncates)
                double[] odd = [double.NaN, -1, -0.5, 0.7, 254, 254.9, 255, 300, 1e12, double.PositiveInfinity];
                row[f] = rng.Next(5) == 0 ? odd[rng.Next(odd.Length)] : rng.Next(200);
                continue;
            }
            var u = rng.NextDouble();
            row[f] = u < 0.1 ? double.NaN
                : u < 0.12 ? double.PositiveInfinity
                : u < 0.14 ? double.NegativeInfinity
                : u < 0.5 ? Threshold(rng, grid) // exactly on a threshold
                : (rng.NextDouble() * 12) - 1;
        }
        return row;
    }

    /// <summary>The reference walk's predictions and the batch path's, through column-major blocks with a stride larger
    /// than the count and counts that leave a partial 32-row chunk.</summary>
    private static (double[] Expected, double[] Batch, double[] Single) Predict(TreeEnsemble ensemble, int outputs, int grid, int seed, int features = Features)
    {
        const int Rows = 700;
        const int Stride = 128;
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, Rows).Select(_ => RandomRow(rng, grid, features)).ToArray();
        var expected = new double[Rows * outputs];
        for (var i = 0; i < Rows; i++)
        {
            ensemble.PredictReference(rows[i], expected.AsSpan(i * outputs, outputs));
        }
        var batch = new double[Rows * outputs];
        var columns = new double[Stride * features];
        var start = 0;
        foreach (var count in Enumerable.Repeat(new[] { 128, 1, 33, 97, 64, 31 }, 5).SelectMany(c => c))
        {
            var n = Math.Min(count, Rows - start);
            if (n == 0)
            {
                break;
            }
            Array.Fill(columns, 1e9); // garbage beyond the count must not matter
            for (var f = 0; f < features; f++)
            {
                for (var i = 0; i < n; i++)
                {
                    columns[(f * Stride) + i] = rows[start + i][f];
                }
            }
            ensemble.PredictBlock(columns, Stride, n, batch.AsSpan(start * outputs, n * outputs));
            start += n;
        }
        Assert.Equal(Rows, start);
        var single = new double[Rows * outputs];
        for (var i = 0; i < Rows; i++)
        {
            ensemble.Predict(rows[i], single.AsSpan(i * outputs, outputs));
        }
        return (expected, batch, single);
    }

    [Theory]
    [InlineData(1, 1, 6, 40)]
    [InlineData(2, 1, 6, 250)]
    [InlineData(3, 3, 6, 60)]
    [InlineData(4, 1, 3, 20)]
    [InlineData(5, 2, 1, 10)]
    public void Byte_rank_layout_predicts_batches_and_single_rows_exactly_as_the_reference_walk(int seed, int outputs, int depth, int grid)
    {
        var ensemble = RandomEnsemble(seed, outputs, trees: 123, depth, grid);
        Assert.Equal(Avx2.IsSupported, ensemble.Ranked is not null);
        var (expected, batch, single) = Predict(ensemble, outputs, grid, seed + 100);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
    }

    [Fact]
    public void More_than_512_trees_predict_single_rows_in_several_kernel_calls_exactly_as_the_reference_walk()
    {
        // one row walks 32 trees per vector, at most 16 groups (512 trees) per kernel call
        var ensemble = RandomEnsemble(41, 1, trees: 601, maxDepth: 4, grid: 30);
        Assert.Equal(Avx2.IsSupported, ensemble.Ranked is not null);
        var (expected, batch, single) = Predict(ensemble, 1, 30, 42);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
    }

    [Theory]
    [InlineData(31, 1)]
    [InlineData(32, 3)]
    public void Models_with_more_than_32_features_predict_single_rows_eight_trees_at_a_time_exactly_as_the_reference_walk(int seed, int outputs)
    {
        // 40 features: 80 code columns, more than the 32-trees-per-vector walk looks up
        var ensemble = RandomEnsemble(seed, outputs, trees: 77, maxDepth: 6, grid: 40, features: 40);
        Assert.Equal(Avx2.IsSupported, ensemble.Ranked is not null);
        var (expected, batch, single) = Predict(ensemble, outputs, 40, seed + 100, features: 40);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
    }

    [Theory]
    [InlineData(21, 1)]
    [InlineData(22, 3)]
    public void Categorical_splits_are_looked_up_in_each_nodes_set_exactly_as_the_reference_walk(int seed, int outputs)
    {
        var ensemble = RandomEnsemble(seed, outputs, trees: 90, maxDepth: 6, grid: 40, categories: true);
        Assert.Contains(ensemble.Nodes, n => (n.Info & FlatNode.CategoricalFlag) != 0);
        Assert.Equal(Avx2.IsSupported, ensemble.Ranked is not null);
        var (expected, batch, single) = Predict(ensemble, outputs, 40, seed + 100);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
    }

    /// <summary>Thresholds that stress the bucket tables: clusters of one to four close cuts (buckets holding several),
    /// a crowded cluster (more than four cuts per bucket) beside a far cut, a range too wide for a finite scale,
    /// subnormals and signed zeros, the most cuts a column may hold (a crowded first bucket and single-cut buckets up
    /// to the column's end), a single cut.</summary>
    private static double[][] AwkwardCuts()
    {
        var crowded = Enumerable.Range(0, 200).Select(i => 1 + (i * 1e-12)).Append(1e6).ToArray();
        var wide = new[] { -1.5e308, -1, 0, 1e-310, 1, 1.5e308 }; // first to last overflows to +∞
        var tiny = new[] { -double.Epsilon, 0, double.Epsilon, 2 * double.Epsilon, 1e-300 };
        var full = Enumerable.Range(0, RankedTrees.MaxCuts).Select(i => Math.Pow(1.07, i) - 3).ToArray();
        var single = new[] { 42.5 };
        var clustered = Enumerable.Range(0, 40).SelectMany(i => new[] { i * 10.0, (i * 10.0) + 1e-6, (i * 10.0) + 2e-6, (i * 10.0) + 3e-6 }.Take(1 + (i % 4))).ToArray();
        return [crowded, wide, tiny, full, single, clustered];
    }

    /// <summary>One stump per cut (feature = position in <see cref="AwkwardCuts"/>), missing values sent alternately left and right.</summary>
    private static TreeEnsemble Stumps(double[][] cutsByFeature)
    {
        var nodes = new List<FlatNode>();
        var leaves = new List<double>();
        var roots = new List<int>();
        var rng = new Random(5);
        for (var f = 0; f < cutsByFeature.Length; f++)
        {
            foreach (var cut in cutsByFeature[f])
            {
                roots.Add(nodes.Count);
                nodes.Add(new FlatNode { Feature = f, Threshold = cut, Left = ~leaves.Count, Right = ~(leaves.Count + 1), Info = nodes.Count % 2 == 0 ? FlatNode.DefaultLeftFlag : 0 });
                leaves.Add(rng.NextDouble() - 0.5);
                leaves.Add(rng.NextDouble() - 0.5);
            }
        }
        return new TreeEnsemble([.. nodes], [.. leaves], [], [.. roots], [.. roots.Select(_ => 0)], [0.0], OutputTransform.Sigmoid, 0.5);
    }

    /// <summary>Every cut, its neighbouring doubles, midpoints, and the special values.</summary>
    private static double[] Probes(double[] cuts) =>
    [
        .. cuts.SelectMany(c => new[] { c, Math.BitDecrement(c), Math.BitIncrement(c), -c }),
        .. cuts.Zip(cuts.Skip(1), (a, b) => a + ((b - a) / 2)),
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.MaxValue, double.MinValue, double.Epsilon,
    ];

    [Fact]
    public void A_values_rank_from_its_bucket_counts_exactly_the_cuts_below_it()
    {
        var cuts = AwkwardCuts();
        var ranked = Stumps(cuts).Ranked;
        Assert.Equal(Avx2.IsSupported, ranked is not null);
        if (ranked is null)
        {
            return;
        }
        for (var f = 0; f < cuts.Length; f++)
        {
            foreach (var x in Probes(cuts[f]))
            {
                Assert.True(cuts[f].Count(c => c < x) == ranked.RankOf(f, x), $"feature {f}, value {x:R}");
            }
        }
    }

    [Fact]
    public void Awkward_thresholds_predict_batches_and_single_rows_exactly_as_the_reference_walk()
    {
        var cuts = AwkwardCuts();
        var ensemble = Stumps(cuts);
        var probes = cuts.Select(Probes).ToArray();
        var rows = Enumerable.Range(0, probes.Max(p => p.Length)).Select(i => probes.Select(p => p[i % p.Length]).ToArray()).ToArray();
        var columns = new double[cuts.Length * rows.Length];
        for (var f = 0; f < cuts.Length; f++)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                columns[(f * rows.Length) + i] = rows[i][f];
            }
        }
        var batch = new double[rows.Length];
        ensemble.PredictBlock(columns, rows.Length, rows.Length, batch);
        var expected = new double[1];
        var single = new double[1];
        for (var i = 0; i < rows.Length; i++)
        {
            ensemble.PredictReference(rows[i], expected);
            ensemble.Predict(rows[i], single);
            Assert.Equal(expected[0], batch[i]);
            Assert.Equal(expected[0], single[0]);
        }
    }

    [Fact]
    public void Models_it_cannot_represent_predict_the_other_way()
    {
        // 300 distinct thresholds on a feature: more than the byte codes hold
        var wide = RandomEnsemble(7, 1, trees: 200, maxDepth: 6, grid: 100_000);
        Assert.Null(wide.Ranked);
        var (expected, batch, single) = Predict(wide, 1, 100_000, 8);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
        // a tree seven levels deep
        var deep = RandomEnsemble(9, 1, trees: 20, maxDepth: 7, grid: 50);
        Assert.Null(deep.Ranked);
        (expected, batch, single) = Predict(deep, 1, 50, 10);
        Assert.Equal(expected, batch);
        Assert.Equal(expected, single);
    }

    [Fact]
    public void One_row_prediction_allocates_nothing()
    {
        var ranked = RandomEnsemble(11, 1, trees: 50, maxDepth: 6, grid: 30);
        var walked = RandomEnsemble(12, 1, trees: 20, maxDepth: 7, grid: 30);
        var categorical = RandomEnsemble(14, 1, trees: 30, maxDepth: 6, grid: 30, categories: true);
        var rng = new Random(13);
        var row = RandomRow(rng, 30);
        var output = new double[1];
        foreach (var ensemble in new[] { ranked, walked, categorical })
        {
            ensemble.Predict(row, output); // builds the layouts
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1_000; i++)
            {
                ensemble.Predict(row, output);
            }
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }
}
