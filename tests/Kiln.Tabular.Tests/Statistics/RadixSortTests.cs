using Kiln.Tabular.Statistics;

namespace Kiln.Tabular.Tests.Statistics;

public sealed class RadixSortTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(5_000, 2)]
    [InlineData(100_000, 3)]
    public void Sorts_like_Array_Sort_including_negatives_infinities_subnormals_and_repeats(int count, int seed)
    {
        var rng = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (i % 7) switch
            {
                0 => double.PositiveInfinity * (i % 2 == 0 ? 1 : -1),
                1 => rng.Next(-3, 3),
                2 => double.Epsilon * rng.Next(-5, 5),
                3 => (rng.NextDouble() - 0.5) * 1e300,
                _ => (rng.NextDouble() - 0.5) * 100,
            };
        }
        var expected = values.ToArray();
        Array.Sort(expected);
        RadixSort.Sort(values);
        // Array.Sort leaves 0.0 and -0.0 in any order; the radix sort puts -0.0 first. Compare values, then check that order.
        Assert.Equal(expected, values);
        for (var i = 1; i < values.Length; i++)
        {
            Assert.False(values[i] == 0 && values[i - 1] == 0 && double.IsNegative(values[i]) && !double.IsNegative(values[i - 1]), $"-0.0 after 0.0 at {i}");
        }
    }

    [Fact]
    public void A_column_of_one_repeated_value_stays_as_it_is()
    {
        var values = Enumerable.Repeat(0.25, 10_000).ToArray();
        RadixSort.Sort(values);
        Assert.All(values, v => Assert.Equal(0.25, v));
    }
}
