using static Kiln.Engine.Charts.SvgDocument;

namespace Kiln.Engine.Charts;

/// <summary>Bar charts, e.g. feature importance.</summary>
public static class BarChart
{
    private const double Top = 44, Bottom = 40, Font = 11;
    private const int MaxLabelChars = 28;

    /// <summary>
    /// Horizontal bars sorted by value, largest first, keeping the top <paramref name="maxBars"/> (1 to 200).
    /// Labels longer than 28 characters are cut with an ellipsis (the full label is the bar's tooltip); non-finite values are dropped.
    /// </summary>
    public static string Horizontal(string title, IReadOnlyList<(string Label, double Value)> bars, int maxBars = 20, ChartOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBars, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBars, 200);
        var finite = bars.Where(b => double.IsFinite(b.Value)).ToList();
        var shown = finite.OrderByDescending(b => b.Value).ThenBy(b => b.Label, StringComparer.Ordinal).Take(maxBars).ToList();
        var o = (options ?? new ChartOptions { Height = (int)Math.Clamp(Top + Bottom + 22 * shown.Count, 150, 4000) }).Validated();
        var svg = new SvgDocument(o.Width, o.Height, shown.Count < finite.Count ? $"{title} (top {shown.Count} of {finite.Count})" : title);
        if (shown.Count == 0)
        {
            svg.Text(o.Width / 2.0, o.Height / 2.0, "No data", 14, "middle", $"class=\"no-data\" fill=\"{Palette.Reference}\"");
            return svg.ToString();
        }
        var axis = AxisTicks.Linear(Math.Min(0, shown.Min(b => b.Value)), Math.Max(0, shown.Max(b => b.Value)));
        var names = shown.Select(b => Truncate(b.Label, MaxLabelChars)).ToList();
        var valueWidth = 12 + shown.Max(b => TextWidth(Number(b.Value), Font));
        var labelRight = 10 + names.Max(l => TextWidth(l, Font));
        var left = labelRight + (shown[^1].Value < 0 ? valueWidth : 8);
        var right = shown[0].Value > 0 ? valueWidth : 20;
        var (w, band) = (o.Width - left - right, Math.Min(48, (o.Height - Top - Bottom) / shown.Count));
        var h = band * shown.Count;
        double Px(double v) => left + axis.Fraction(v) * w;

        foreach (var t in axis.Values)
        {
            svg.Line(Px(t), Top, Px(t), Top + h, t == 0 ? Palette.Axis : Palette.Grid);
            svg.Text(Px(t), Top + h + 16, Number(t), Font, "middle", $"class=\"x-tick\" fill=\"{Palette.Text}\"");
        }
        for (var i = 0; i < shown.Count; i++)
        {
            var (label, value) = shown[i];
            var (x0, x1, y) = (Px(Math.Min(0, value)), Px(Math.Max(0, value)), Top + i * band);
            svg.Raw($"<rect class=\"bar\" x=\"{F(x0)}\" y=\"{F(y + band * 0.15)}\" width=\"{F(x1 - x0)}\" height=\"{F(band * 0.7)}\" fill=\"{Palette.Series(0).Color}\"><title>{Escape(label)}</title></rect>");
            svg.Text(labelRight, y + band / 2 + 4, names[i], Font, "end", $"class=\"bar-label\" fill=\"{Palette.Text}\"");
            var (vx, anchor) = value < 0 ? (x0 - 4, "end") : (x1 + 4, "start");
            svg.Text(vx, y + band / 2 + 4, Number(value), Font, anchor, $"class=\"bar-value\" fill=\"{Palette.Text}\"");
        }
        return svg.ToString();
    }
}
