namespace Kiln.Engine.Charts;

/// <summary>Line charts of one or more series, e.g. training and validation loss by iteration.</summary>
public static class LineChart
{
    /// <summary>
    /// Renders <paramref name="series"/> as an SVG document with nice ticks, grid and legend.
    /// NaN and infinite points (and non-positive ones on a log axis) are skipped and break the line.
    /// </summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, ChartOptions? options = null)
    {
        var lines = series.Select((s, i) => new PlotLine(s, Palette.Series(i).Color, Palette.Series(i).Dashed)).ToList();
        return LinePlot.Render(title, xLabel, yLabel, lines, options ?? new ChartOptions());
    }
}
