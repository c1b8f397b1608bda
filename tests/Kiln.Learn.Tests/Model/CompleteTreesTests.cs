using Kiln.Learn.Model;

namespace Kiln.Learn.Tests.Model;

public sealed class CompleteTreesTests
{
    /// <summary>Random trees: uneven depths (leaves above the bottom level), missing directions both ways, some categorical
    /// splits and some trees deeper than the complete layout takes, so every prediction path is exercised.</summary>
    private static TreeEnsemble RandomEnsemble(int seed, int features, int outputs, int trees)
    {
        var rng = new Random(seed);
        var nodes = new List<FlatNode>();
        var leaves = new List<double>();
        var bits = new List<uint>();
        var roots = new List<int>();
        var treeOutputs = new List<int>();
        for (var t = 0; t < trees; t++)
        {
            // runs of twelve trees of one depth take the eight- and four-trees-at-once paths of one-row prediction
            var maxDepth = t % 37 == 5 ? CompleteTrees.MaxDepth + 2 : (t / 12) % 8;
            var categorical = t % 11 == 3;
            roots.Add(Grow(0, maxDepth, categorical));
            treeOutputs.Add(t % outputs);
        }
        return new TreeEnsemble([.. nodes], [.. leaves], [.. bits], [.. roots], [.. treeOutputs],
            [.. Enumerable.Range(0, outputs).Select(k => 0.1 * k)], outputs == 1 ? OutputTransform.Sigmoid : OutputTransform.Softmax, 1);

        int Grow(int level, int maxDepth, bool categorical)
        {
            var forceDeep = maxDepth > CompleteTrees.MaxDepth && level < maxDepth;
            if (!forceDeep && (level >= maxDepth || (level > 0 && rng.NextDouble() < 0.15)))
            {
                leaves.Add(rng.NextDouble() - 0.5);
                return ~(leaves.Count - 1);
            }
            var index = nodes.Count;
            nodes.Add(default);
            var info = rng.Next(2) == 0 ? FlatNode.DefaultLeftFlag : 0;
            if (categorical && rng.Next(3) == 0)
            {
                info |= FlatNode.CategoricalFlag | (bits.Count << 2);
                for (var w = 0; w < FlatNode.CategoryWords; w++)
                {
                    bits.Add((uint)rng.Next() ^ ((uint)rng.Next() << 16));
                }
            }
            var feature = rng.Next(features);
            var threshold = Math.Round(rng.NextDouble() * 10, 1);
            // on a forced-deep path, keep one side a leaf so the tree stays small
            var left = Grow(level + 1, forceDeep && rng.Next(2) == 0 ? level + 1 : maxDepth, categorical);
            var right = Grow(level + 1, maxDepth, categorical);
            nodes[index] = new FlatNode { Feature = feature, Threshold = threshold, Info = info, Left = left, Right = right };
            return index;
        }
    }

    private static double[] RandomRow(Random rng, int features, bool missing)
    {
        var row = new double[features];
        for (var f = 0; f < features; f++)
        {
            var u = rng.NextDouble();
            row[f] = missing && u < 0.1 ? double.NaN
                : missing && u < 0.12 ? double.PositiveInfinity
                : missing && u < 0.14 ? double.NegativeInfinity
                : rng.Next(5) == 0 ? Math.Round(rng.NextDouble() * 10, 1) // often exactly on a threshold
                : rng.Next(12);
        }
        return row;
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(2, 1, true)]
    [InlineData(3, 3, false)]
    [InlineData(4, 3, true)]
    public void Complete_layout_predicts_exactly_as_the_reference_walk(int seed, int outputs, bool missing)
    {
        const int Features = 7;
        const int Rows = 300;
        var ensemble = RandomEnsemble(seed, Features, outputs, trees: 150);
        Assert.Contains(ensemble.Complete.Depth, d => d < 0);
        Assert.Contains(ensemble.Complete.Depth, d => d > 0);
        var rng = new Random(seed + 100);
        var rows = Enumerable.Range(0, Rows).Select(_ => RandomRow(rng, Features, missing)).ToArray();
        var expected = new double[Rows * outputs];
        for (var i = 0; i < Rows; i++)
        {
            ensemble.PredictReference(rows[i], expected.AsSpan(i * outputs, outputs));
        }
        var single = new double[Rows * outputs];
        for (var i = 0; i < Rows; i++)
        {
            ensemble.Predict(rows[i], single.AsSpan(i * outputs, outputs));
        }
        Assert.Equal(expected, single);
        // batch: column-major blocks with a stride larger than the count, as TrainedModel passes them
        const int Stride = 64;
        var batch = new double[Rows * outputs];
        var columns = new double[Stride * Features];
        for (var start = 0; start < Rows; start += Stride - 3)
        {
            var count = Math.Min(Stride - 3, Rows - start);
            Array.Fill(columns, double.NaN);
            for (var f = 0; f < Features; f++)
            {
                for (var i = 0; i < count; i++)
                {
                    columns[(f * Stride) + i] = rows[start + i][f];
                }
            }
            ensemble.PredictBlock(columns, Stride, count, batch.AsSpan(start * outputs, count * outputs));
        }
        Assert.Equal(expected, batch);
    }
}
