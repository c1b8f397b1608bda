using Kiln.Engine.Charts;

namespace Kiln.Engine.Tests.Charts;

public sealed class BarChartTests
{
    [Fact]
    public void Bars_are_sorted_descending_and_limited_to_max_bars()
    {
        var svg = BarChart.Horizontal("Importance", [("low", 0.1), ("high", 0.7), ("mid", 0.2), ("nan", double.NaN)], maxBars: 2);
        Assert.Equal(2, SvgQuery.WithClass(svg, "bar").Count);
        Assert.Equal(["high", "mid"], SvgQuery.Texts(svg, "bar-label"));
        Assert.Equal(["0.7", "0.2"], SvgQuery.Texts(svg, "bar-value"));
        Assert.Equal("Importance (top 2 of 3)", SvgQuery.Texts(svg, "title").Single());
    }

    [Fact]
    public void Long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip()
    {
        var label = "a_really_long_feature_name_that_goes_on_and_on<&>";
        var svg = BarChart.Horizontal("t", [(label, 3.0)]);
        var shown = SvgQuery.Texts(svg, "bar-label").Single();
        Assert.EndsWith("\u2026", shown);
        Assert.Equal(28, shown.Length);
        Assert.Equal(label, SvgQuery.WithClass(svg, "bar").Single().Value);
    }

    [Fact]
    public void Empty_and_negative_inputs_render()
    {
        Assert.Single(SvgQuery.WithClass(BarChart.Horizontal("t", []), "no-data"));
        var svg = BarChart.Horizontal("t", [("up", 2.0), ("down", -1.0)]);
        Assert.Equal(["up", "down"], SvgQuery.Texts(svg, "bar-label"));
        Assert.Contains("-1", SvgQuery.Texts(svg, "x-tick"));
    }
}
