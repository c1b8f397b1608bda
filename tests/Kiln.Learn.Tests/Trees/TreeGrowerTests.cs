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
}
