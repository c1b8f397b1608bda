using static Kiln.Engine.Charts.SvgDocument;

namespace Kiln.Engine.Charts;

internal static partial class LinePlot
{
    private const double LegendFont = 12, LegendRow = 18;

    /// <summary>Draws the legend in the plot corner that hides the fewest line pixels.</summary>
    private static void Legend(SvgDocument svg, IReadOnlyList<PlotLine> lines, List<List<List<(double, double)>>> pixels, (double X, double Y, double W, double H) plot)
    {
        if (lines.Count == 0)
        {
            return;
        }
        var names = lines.Select(l => Truncate(l.Series.Name, 40)).ToList();
        var (bw, bh) = (38 + names.Max(n => TextWidth(n, LegendFont)) + 8, 8 + lines.Count * LegendRow);
        (double X, double Y)[] corners =
        [
            (plot.X + plot.W - 8 - bw, plot.Y + 8), (plot.X + plot.W - 8 - bw, plot.Y + plot.H - 8 - bh),
            (plot.X + 8, plot.Y + 8), (plot.X + 8, plot.Y + plot.H - 8 - bh),
        ];
        var hidden = new int[corners.Length];
        foreach (var seg in pixels.SelectMany(s => s))
        {
            for (var i = 0; i < seg.Count; i++)
            {
                var (x0, y0) = seg[Math.Max(0, i - 1)];
                var (x1, y1) = seg[i];
                var steps = Math.Clamp((int)Math.Ceiling(Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)) / 6), 1, 64);
                for (var s = 1; s <= steps; s++)
                {
                    var (x, y) = (x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
                    for (var c = 0; c < corners.Length; c++)
                    {
                        hidden[c] += x >= corners[c].X && x <= corners[c].X + bw && y >= corners[c].Y && y <= corners[c].Y + bh ? 1 : 0;
                    }
                }
            }
        }
        var (lx, ly) = corners[Array.IndexOf(hidden, hidden.Min())];
        svg.Raw("<g class=\"legend\">");
        svg.Rect(lx, ly, bw, bh, "#ffffff", "fill-opacity=\"0.85\" stroke=\"#cccccc\"");
        for (var i = 0; i < lines.Count; i++)
        {
            var row = ly + 4 + LegendRow * i + LegendRow / 2;
            var dash = lines[i].Dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Raw("<g class=\"legend-entry\">");
            svg.Line(lx + 8, row, lx + 32, row, lines[i].Color, 2, dash);
            if (lines[i].Markers)
            {
                svg.Raw($"<circle cx=\"{F(lx + 20)}\" cy=\"{F(row)}\" r=\"3.5\" fill=\"{lines[i].Color}\"/>");
            }
            svg.Text(lx + 38, row + 4, names[i], LegendFont, "start", $"fill=\"{Palette.Text}\"");
            svg.Raw("</g>");
        }
        svg.Raw("</g>");
    }
}
