using Kiln.Engine.Charts;

namespace Kiln.Engine.Tests.Charts;

public sealed class AxisTicksTests
{
    [Theory]
    [InlineData(0, 0.87, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(3, 97, new[] { 0.0, 20, 40, 60, 80, 100 })]
    [InlineData(-0.3, 0.45, new[] { -0.4, -0.2, 0, 0.2, 0.4, 0.6 })]
    [InlineData(0.0012, 0.0049, new[] { 0.001, 0.002, 0.003, 0.004, 0.005 })]
    public void Linear_ticks_use_1_2_5_steps_covering_the_range(double min, double max, double[] expected)
    {
        var ticks = AxisTicks.Linear(min, max);
        Assert.Equal(expected, ticks.Values);
        Assert.Equal((expected[0], expected[^1]), (ticks.Min, ticks.Max));
    }

    [Fact]
    public void A_constant_or_missing_range_is_widened()
    {
        var constant = AxisTicks.Linear(5, 5);
        Assert.True(constant.Min < 5 && constant.Max > 5);
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], AxisTicks.Linear(double.PositiveInfinity, double.NegativeInfinity).Values);
        Assert.Equal(-1, AxisTicks.Linear(0, 0).Min);
    }

    [Fact]
    public void Log_ticks_are_powers_of_ten_and_fraction_is_logarithmic()
    {
        var ticks = AxisTicks.Logarithmic(0.003, 250);
        Assert.Equal([0.001, 0.01, 0.1, 1, 10, 100, 1000], ticks.Values);
        Assert.Equal(0.5, ticks.Fraction(1), 9);
        Assert.Equal([1.0, 10], AxisTicks.Logarithmic(0, -1).Values);
    }
}
