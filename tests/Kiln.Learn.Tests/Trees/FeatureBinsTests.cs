using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class FeatureBinsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(5000)]
    public void Binning_a_block_matches_binning_one_value_at_a_time(int distinct)
    {
        var rng = new Random(distinct);
        var sample = Enumerable.Range(0, 20_000).Select(_ => (double)rng.Next(distinct)).ToArray();
        var bins = FeatureBins.ForNumeric(sample, 256);
        // the bounds themselves, values between and beyond them, NaN and infinities
        var values = sample.Take(3000)
            .Concat(bins.UpperBounds)
            .Concat(bins.UpperBounds.Select(b => b + 1e-9))
            .Concat([double.NaN, double.NegativeInfinity, double.PositiveInfinity, -1, distinct + 1.0])
            .ToArray();
        var block = new byte[values.Length * 3];
        bins.BinMany(values, new int[values.Length], block, stride: 3);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(bins.Bin(values[i]), block[i * 3]);
        }
        Assert.Equal(0, bins.Bin(double.NaN));
        Assert.Equal(1, bins.Bin(double.NegativeInfinity));
        Assert.Equal(bins.BinCount - 1, bins.Bin(double.PositiveInfinity));
    }

    [Fact]
    public void A_value_equal_to_a_bound_goes_to_the_bin_it_closes()
    {
        var bins = FeatureBins.ForNumeric([1, 2, 3, 4], 256);
        foreach (var bound in bins.UpperBounds.Select((b, i) => (b, i)))
        {
            // bin i + 1 holds values in (bound[i-1], bound[i]]
            Assert.Equal(bound.i + 1, bins.Bin(bound.b));
            Assert.Equal(bound.i + 2, bins.Bin(Math.BitIncrement(bound.b)));
        }
    }
}
