using static Kiln.Engine.Charts.SvgDocument;

namespace Kiln.Engine.Charts;

/// <summary>A line to draw and how it looks; a <c>Reference</c> line (e.g. the chance diagonal) alone does not count as data.</summary>
internal sealed record PlotLine(Series Series, string Color, bool Dashed = false, bool Markers = false, bool Reference = false);

/// <summary>Axes, grid, lines and legend shared by <see cref="LineChart"/> and <see cref="CurveChart"/>.</summary>
internal static partial class LinePlot
{
    private const double Top = 44, Right = 20, Bottom = 50, TickFont = 11;

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<PlotLine> lines, ChartOptions options)
    {
        options.Validated();
        var segments = lines.Select(l => Segments(l.Series, options.LogScaleY)).ToList();
        var points = segments.SelectMany(s => s.SelectMany(p => p)).ToList();
        var x = Axis(options.XRange, points.Select(p => p.X), log: false);
        var y = Axis(options.YRange, points.Select(p => p.Y), options.LogScaleY);
        var left = 26 + y.Values.Max(t => TextWidth(Number(t), TickFont)) + 8;
        var (w, h) = (options.Width - left - Right, options.Height - Top - Bottom);
        double Px(double v) => left + x.Fraction(v) * w;
        double Py(double v) => Top + h - y.Fraction(v) * h;

        var svg = new SvgDocument(options.Width, options.Height, title);
        svg.Raw($"<clipPath id=\"plot-area\"><rect x=\"{F(left)}\" y=\"{F(Top)}\" width=\"{F(w)}\" height=\"{F(h)}\"/></clipPath>");
        foreach (var t in x.Values)
        {
            svg.Line(Px(t), Top, Px(t), Top + h, Palette.Grid);
            svg.Text(Px(t), Top + h + 16, Number(t), TickFont, "middle", $"class=\"x-tick\" fill=\"{Palette.Text}\"");
        }
        foreach (var t in y.Values)
        {
            svg.Line(left, Py(t), left + w, Py(t), Palette.Grid);
            svg.Text(left - 6, Py(t) + 4, Number(t), TickFont, "end", $"class=\"y-tick\" fill=\"{Palette.Text}\"");
        }
        svg.Rect(left, Top, w, h, "none", $"stroke=\"{Palette.Axis}\"");
        svg.Text(left + w / 2, options.Height - 12, Truncate(xLabel, (int)(w / 7.2)), 12, "middle", "class=\"axis-label\"");
        svg.Text(0, 0, Truncate(yLabel, (int)(h / 7.2)), 12, "middle", $"class=\"axis-label\" transform=\"translate(16,{F(Top + h / 2)}) rotate(-90)\"");

        var pixels = segments.Select(s => s.Select(seg => seg.Select(p => (Px(p.X), Py(p.Y))).ToList()).ToList()).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var d = string.Join(" ", pixels[i].Select(seg => "M" + string.Join(" L", seg.Select(p => $"{F(p.Item1)},{F(p.Item2)}"))));
            var dash = line.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Raw($"<path class=\"series\" d=\"{d}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash} clip-path=\"url(#plot-area)\"/>");
            foreach (var (px, py) in pixels[i].Where(seg => seg.Count == 1 || line.Markers).SelectMany(seg => seg))
            {
                svg.Raw($"<circle class=\"marker\" cx=\"{F(px)}\" cy=\"{F(py)}\" r=\"3.5\" fill=\"{line.Color}\" clip-path=\"url(#plot-area)\"/>");
            }
        }
        if (Enumerable.Range(0, lines.Count).All(i => lines[i].Reference || segments[i].Count == 0))
        {
            svg.Text(left + w / 2, Top + h / 2, "No data", 14, "middle", $"class=\"no-data\" fill=\"{Palette.Reference}\"");
        }
        Legend(svg, lines, pixels, (left, Top, w, h));
        return svg.ToString();
    }

    private static List<List<(double X, double Y)>> Segments(Series series, bool logY)
    {
        if (series.X.Count != series.Y.Count)
        {
            throw new ArgumentException($"Series '{series.Name}' has {series.X.Count} x values and {series.Y.Count} y values; give one y per x.", nameof(series));
        }
        var result = new List<List<(double X, double Y)>>();
        List<(double X, double Y)>? current = null;
        for (var i = 0; i < series.X.Count; i++)
        {
            var (x, y) = (series.X[i], series.Y[i]);
            if (double.IsFinite(x) && double.IsFinite(y) && (!logY || y > 0))
            {
                if (current is null)
                {
                    current = [];
                    result.Add(current);
                }
                current.Add((x, y));
            }
            else
            {
                current = null;
            }
        }
        return result;
    }

    private static AxisTicks Axis((double Min, double Max)? range, IEnumerable<double> values, bool log)
    {
        var (min, max) = range ?? values.Aggregate((double.PositiveInfinity, double.NegativeInfinity), (a, v) => (Math.Min(a.Item1, v), Math.Max(a.Item2, v)));
        return log ? AxisTicks.Logarithmic(min, max) : AxisTicks.Linear(min, max);
    }
}
