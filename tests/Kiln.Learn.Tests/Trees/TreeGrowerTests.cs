using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class TreeGrowerTests
{
    /// <summary>One feature with cuts at 0.5, 1.5, …, 9.5 (values 0-10 each in its own bin), but the rows hold only the
    /// values 0 and 1 (class 0) and 9 and 10 (class 1): every cut from 1.5 to 8.5 separates them.</summary>
    private static (BinnedMatrix Matrix, FeatureBins[] Bins, float[][] Targets) Gap()
    {
        FeatureBins[] bins = [new(false, [.. Enumerable.Range(0, 10).Select(i => i + 0.5)], 12)];
        byte[] values = [1, 2, 10, 11];
        var rows = 40;
        var matrix = new byte[rows];
        var targets = new[] { new float[2 * rows], new float[2 * rows] };
        for (var r = 0; r < rows; r++)
        {
            matrix[r] = values[r % 4];
            var y = values[r % 4] > 5 ? 1 : 0;
            for (var k = 0; k < 2; k++)
            {
                targets[k][2 * r] = (float)(0.5 - (y == k ? 1 : 0));
                targets[k][(2 * r) + 1] = 1;
            }
        }
        return (BinnedMatrix.FromBins(matrix, rows, 1), bins, targets);
    }

    private static GrowerSettings Settings(bool center) => new()
    {
        MaxDepth = 0, MinChildWeight = 0, Lambda = 0, StochasticRounding = false, CenterThresholds = center,
    };

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 5)]
    public void A_forest_split_s_threshold_sits_in_the_middle_of_the_node_s_gap(bool center, int expectedBin)
    {
        var (matrix, bins, targets) = Gap();
        var rows = Enumerable.Range(0, matrix.RowCount).ToArray();
        var single = new TreeGrower(matrix, bins, Settings(center), 1).Grow(rows, targets[1], [0], new Random(1));
        var joint = new TreeGrower(matrix, bins, Settings(center), 1).GrowJoint(rows, targets, [0], new Random(1));
        foreach (var tree in new[] { single, joint })
        {
            // one split, two pure leaves; boosting's threshold is the first cut above the left rows (1.5, bin 2), the
            // forest's the cut nearest the middle of 1 and 9 (4.5, bin 5; 5.5 is as near and comes later)
            Assert.Single(tree.Nodes);
            Assert.Equal(expectedBin, tree.Nodes[0].ThresholdBin);
            Assert.Equal(2, tree.LeafRows.Count);
            Assert.All(tree.LeafRows, leaf => Assert.Equal(20, leaf.End - leaf.Begin));
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 6)]
    public void A_tree_whose_last_level_writes_row_leaves_is_the_partitioned_tree(int threads, int depth)
    {
        // 40,000 rows (large nodes take the parallel paths), five features, one categorical
        var rng = new Random(depth);
        const int n = 40_000, features = 5;
        FeatureBins[] bins = [.. Enumerable.Range(0, 4).Select(_ => new FeatureBins(false, [.. Enumerable.Range(0, 30).Select(i => (double)i)], 32)),
            FeatureBins.ForCategorical(9)];
        var matrix = new byte[n * features];
        var gh = new float[2 * n];
        for (var r = 0; r < n; r++)
        {
            for (var f = 0; f < features; f++)
            {
                matrix[(r * features) + f] = (byte)rng.Next(bins[f].BinCount);
            }
            var signal = matrix[r * features] - 15 + (3 * (matrix[(r * features) + 4] % 3)) + rng.NextDouble();
            gh[2 * r] = (float)(Math.Tanh(signal / 8) + (0.3 * (rng.NextDouble() - 0.5)));
            gh[(2 * r) + 1] = (float)(0.1 + (0.15 * rng.NextDouble()));
        }
        var binned = BinnedMatrix.FromBins(matrix, n, features);
        var settings = new GrowerSettings { MaxDepth = depth, MinChildWeight = 1, Lambda = 1 };
        int[] rows = [.. Enumerable.Range(0, n)];
        int[] all = [.. Enumerable.Range(0, features)];
        var partitioned = new TreeGrower(binned, bins, settings, threads);
        var expected = partitioned.Grow(rows, gh, all, new Random(7));
        var writing = new TreeGrower(binned, bins, settings, threads);
        var leafOf = new ushort[n];
        Array.Fill(leafOf, ushort.MaxValue);
        var actual = writing.Grow(rows, gh, all, new Random(7), leafOf);
        Assert.Equal(expected.Nodes.Select(Describe), actual.Nodes.Select(Describe));
        Assert.Equal(expected.LeafValues, actual.LeafValues);
        Assert.True(expected.LeafValues.Count > 1 << (depth - 1), $"{expected.LeafValues.Count} leaves");
        // every row's leaf: written while growing (the last level) or in the leaf's rows (shallower leaves)
        var fromRows = new int[n];
        for (var leaf = 0; leaf < actual.LeafRows.Count; leaf++)
        {
            var (begin, end) = actual.LeafRows[leaf];
            for (var i = begin; i < end; i++)
            {
                Assert.Equal(ushort.MaxValue, leafOf[writing.Rows[i]]);
                leafOf[writing.Rows[i]] = (ushort)leaf;
            }
            (begin, end) = expected.LeafRows[leaf];
            for (var i = begin; i < end; i++)
            {
                fromRows[partitioned.Rows[i]] = leaf;
            }
        }
        Assert.Equal(fromRows, leafOf.Select(l => (int)l));
        Assert.Contains(actual.LeafRows, leaf => leaf.End == leaf.Begin);
    }

    private static string Describe(SplitNode node) =>
        $"{node.Feature} {node.ThresholdBin} {node.Categorical} {node.DefaultLeft} {node.Left} {node.Right} {node.Gain}";
}
