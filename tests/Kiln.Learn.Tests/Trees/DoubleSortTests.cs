using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class DoubleSortTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(5_000)]
    [InlineData(200_000)]
    public void Sorts_as_a_comparison_sort_does(int count)
    {
        var rng = new Random(count);
        double[] specials = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
            double.MaxValue, double.MinValue, 1e-310, -1e-310];
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = rng.Next(6) switch
            {
                0 => specials[rng.Next(specials.Length)],
                1 => rng.Next(20) - 10,                              // many repeats
                2 => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300)),
                _ => (rng.NextDouble() - 0.5) * 1000,
            };
        }
        var expected = (double[])values.Clone();
        Array.Sort(expected);
        DoubleSort.Sort(values);
        for (var i = 0; i < count; i++)
        {
            // −0 and +0 compare equal and may come in either order
            Assert.True(expected[i] == values[i], $"at {i}: {values[i]} where a comparison sort has {expected[i]}");
        }
        for (var i = 1; i < count; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(values[i - 1]) != BitConverter.DoubleToInt64Bits(0.0)
                || BitConverter.DoubleToInt64Bits(values[i]) != BitConverter.DoubleToInt64Bits(-0.0), "+0 before −0");
        }
    }

    [Fact]
    public void Values_sharing_high_digits_are_sorted_by_the_low_ones()
    {
        // the same sign and exponent everywhere: the skipped passes must not lose the order of the others
        var values = Enumerable.Range(0, 10_000).Select(i => 1.0 + ((i * 7919 % 10_000) * 1e-12)).ToArray();
        DoubleSort.Sort(values);
        Assert.True(values.Zip(values.Skip(1)).All(p => p.First < p.Second));
    }
}
