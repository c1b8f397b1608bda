using Kiln.Engine.Charts;

namespace Kiln.Engine.Tests.Charts;

public sealed class CurveChartTests
{
    [Fact]
    public void Roc_draws_the_curve_and_the_chance_diagonal_with_auc_in_title_and_legend()
    {
        var svg = CurveChart.Roc([(0, 0), (0.1, 0.6), (0.4, 0.9), (1, 1)], 0.8642);
        Assert.Equal(2, SvgQuery.WithClass(svg, "series").Count);
        Assert.Contains("AUC = 0.864", SvgQuery.Texts(svg, "title").Single());
        Assert.Contains(SvgQuery.WithClass(svg, "legend-entry"), e => e.Value == "ROC (AUC = 0.864)");
        Assert.Contains("Chance", SvgQuery.WithClass(svg, "legend-entry").Select(e => e.Value));
        Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1"], SvgQuery.Texts(svg, "x-tick"));
    }

    [Fact]
    public void Precision_recall_has_a_baseline_at_the_positive_rate()
    {
        var svg = CurveChart.PrecisionRecall([(0, 1), (0.5, 0.8), (1, 0.3)], 0.75, 0.25);
        var baseline = SvgQuery.WithClass(svg, "series")[1];
        Assert.Equal("6 4", (string?)baseline.Attribute("stroke-dasharray"));
        Assert.Contains("Baseline (positive rate 0.250)", SvgQuery.WithClass(svg, "legend-entry").Select(e => e.Value));
    }

    [Fact]
    public void Calibration_marks_each_non_empty_bin()
    {
        var svg = CurveChart.Calibration([(0.05, 0.02, 40), (0.5, 0.55, 12), (0.95, 0, 0)]);
        Assert.Equal(2, SvgQuery.WithClass(svg, "marker").Count);
        Assert.Contains("n = 52", SvgQuery.Texts(svg, "title").Single());
        Assert.Single(SvgQuery.WithClass(CurveChart.Calibration([]), "no-data"));
    }
}
