using Kiln.Engine.Charts;

namespace Kiln.Engine.Tests.Charts;

public sealed class ConfusionMatrixChartTests
{
    private static readonly long[,] Counts = { { 50, 0, 0 }, { 0, 47, 3 }, { 0, 4, 46 } };

    [Fact]
    public void Each_cell_shows_its_count_and_row_share_with_readable_text()
    {
        var svg = ConfusionMatrixChart.Render(["setosa", "versicolor", "virginica"], Counts);
        Assert.Equal(9, SvgQuery.WithClass(svg, "cell").Count);
        var values = SvgQuery.WithClass(svg, "cell-value");
        Assert.Equal(["50", "0", "0", "0", "47", "3", "0", "4", "46"], values.Select(v => v.Value));
        Assert.Equal("94%", SvgQuery.Texts(svg, "cell-share")[4]);
        Assert.Equal("#ffffff", (string?)values[0].Attribute("fill"));
        Assert.NotEqual("#ffffff", (string?)values[1].Attribute("fill"));
        Assert.Equal(["Predicted", "Actual"], SvgQuery.Texts(svg, "axis-label"));
    }

    [Fact]
    public void Normalized_matrix_leads_with_percentages()
    {
        var svg = ConfusionMatrixChart.Render(["a", "b", "c"], Counts, normalize: true);
        Assert.Equal("94%", SvgQuery.Texts(svg, "cell-value")[4]);
        Assert.Equal("47", SvgQuery.Texts(svg, "cell-share")[4]);
        Assert.Contains("normalized", SvgQuery.Texts(svg, "title").Single());
    }

    [Fact]
    public void Single_class_empty_and_escaped_labels_render()
    {
        var single = ConfusionMatrixChart.Render(["<only> & one"], new long[,] { { 0 } });
        Assert.Single(SvgQuery.WithClass(single, "cell"));
        Assert.Equal(["<only> & one"], SvgQuery.Texts(single, "row-label"));
        Assert.Equal("0%", SvgQuery.Texts(single, "cell-share").Single());
        Assert.Single(SvgQuery.WithClass(ConfusionMatrixChart.Render([], new long[0, 0]), "no-data"));
    }

    [Fact]
    public void A_matrix_that_does_not_match_the_labels_is_rejected() =>
        Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.Render(["a", "b"], Counts));
}
