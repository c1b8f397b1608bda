using System.Xml.Linq;
using Kiln.Engine.Charts;

namespace Kiln.Engine.Tests.Charts;

public sealed class LineChartTests
{
    private static readonly double[] Iterations = [1, 2, 3, 4, 5];

    [Fact]
    public void Each_series_gets_a_path_a_legend_entry_and_its_own_colour()
    {
        var svg = LineChart.Render("Loss", "iteration", "loss", [new("train", Iterations, [1, 0.8, 0.6, 0.5, 0.45]), new("valid", Iterations, [1.1, 0.9, 0.8, 0.75, 0.74])]);
        var paths = SvgQuery.WithClass(svg, "series");
        Assert.Equal(2, paths.Count);
        Assert.Equal(2, SvgQuery.WithClass(svg, "legend-entry").Count);
        Assert.NotEqual((string?)paths[0].Attribute("stroke"), (string?)paths[1].Attribute("stroke"));
        Assert.Equal(["Loss"], SvgQuery.Texts(svg, "title"));
    }

    [Fact]
    public void Non_finite_points_are_skipped_and_break_the_line()
    {
        var svg = LineChart.Render("t", "x", "y", [new("s", Iterations, [1, double.NaN, 3, double.PositiveInfinity, 5])]);
        var d = (string)SvgQuery.WithClass(svg, "series").Single().Attribute("d")!;
        Assert.Equal(3, d.Count(c => c == 'M'));
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.Equal(3, SvgQuery.WithClass(svg, "marker").Count);
    }

    [Fact]
    public void Log_scale_skips_non_positive_values_and_uses_decade_ticks()
    {
        var svg = LineChart.Render("t", "x", "y", [new("s", Iterations, [100, 10, 0, 0.1, -1])], new ChartOptions { LogScaleY = true });
        Assert.Equal(2, ((string)SvgQuery.WithClass(svg, "series").Single().Attribute("d")!).Count(c => c == 'M'));
        Assert.Contains("0.1", SvgQuery.Texts(svg, "y-tick"));
        Assert.Contains("100", SvgQuery.Texts(svg, "y-tick"));
    }

    [Fact]
    public void Empty_single_point_and_constant_inputs_render_valid_documents()
    {
        var empty = LineChart.Render("t", "x", "y", []);
        Assert.Single(SvgQuery.WithClass(empty, "no-data"));
        Assert.Empty(SvgQuery.WithClass(empty, "series"));

        var single = LineChart.Render("t", "x", "y", [new("s", [3.0], [0.5])]);
        Assert.Single(SvgQuery.WithClass(single, "marker"));

        var constant = LineChart.Render("t", "x", "y", [new("s", Iterations, [2, 2, 2, 2, 2])]);
        var ticks = SvgQuery.Texts(constant, "y-tick");
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        Assert.True(ticks.Count >= 3);
    }

    [Fact]
    public void Text_is_escaped_and_output_is_deterministic()
    {
        Series[] series = [new("a<b & \"c\"", Iterations, [5, 4, 3, 2, 1])];
        var svg = LineChart.Render("x < y & z\u0001", "it<", "l&", series);
        var texts = XDocument.Parse(svg).Descendants().Select(e => e.Value).ToList();
        Assert.Contains("x < y & z", texts);
        Assert.Contains("a<b & \"c\"", texts);
        Assert.Equal(svg, LineChart.Render("x < y & z\u0001", "it<", "l&", series));
    }

    [Fact]
    public void Mismatched_lengths_and_bad_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LineChart.Render("t", "x", "y", [new("s", Iterations, [1.0])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LineChart.Render("t", "x", "y", [], new ChartOptions { Width = 10 }));
    }
}
