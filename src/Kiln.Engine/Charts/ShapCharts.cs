using System.Globalization;
using static Kiln.Engine.Charts.SvgDocument;

namespace Kiln.Engine.Charts;

/// <summary>One feature's contributions over the explained rows and, for a numeric feature, its values.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Contributions">Its contribution to each row's raw score.</param>
/// <param name="Values">Each row's value (NaN when missing), or null for a categorical feature.</param>
public sealed record FeatureContributions(string Feature, IReadOnlyList<double> Contributions, IReadOnlyList<double>? Values);

/// <summary>SHAP-style charts of explanations: the summary (beeswarm) of the most important features and a dependence plot.</summary>
public static class ShapCharts
{
    private const double Top = 44, Bottom = 46, Font = 11;

    /// <summary>
    /// The summary chart: a row per feature (by mean |contribution|, largest on top, at most <paramref name="maxFeatures"/>),
    /// each explained row a dot at its contribution, piled up where dots crowd (a beeswarm), coloured from blue (the
    /// feature's low values) to red (high) by rank; grey for categorical features and missing values.
    /// </summary>
    public static string Summary(IReadOnlyList<FeatureContributions> features, int maxFeatures = 12, int maxDots = 1000, ChartOptions? options = null)
    {
        var shown = features.OrderByDescending(f => f.Contributions.Count == 0 ? 0 : f.Contributions.Average(Math.Abs)).Take(maxFeatures).ToList();
        var o = (options ?? new ChartOptions { Height = (int)Math.Clamp(Top + Bottom + 34 * shown.Count, 150, 4000) }).Validated();
        var svg = new SvgDocument(o.Width, o.Height, "Feature contributions (SHAP)");
        var rows = shown.Count == 0 ? 0 : shown[0].Contributions.Count;
        if (rows == 0)
        {
            svg.Text(o.Width / 2.0, o.Height / 2.0, "No data", 14, "middle", $"class=\"no-data\" fill=\"{Palette.Reference}\"");
            return svg.ToString();
        }
        // the same evenly spread rows for every feature, so a chart of many rows stays small
        var step = Math.Max(1, rows / maxDots);
        var sample = Enumerable.Range(0, rows).Where(r => r % step == 0).ToList();
        var all = shown.SelectMany(f => sample.Select(r => f.Contributions[r])).Where(double.IsFinite).ToList();
        var axis = AxisTicks.Linear(Math.Min(0, all.DefaultIfEmpty(0).Min()), Math.Max(0, all.DefaultIfEmpty(0).Max()));
        var left = 10 + shown.Max(f => TextWidth(Truncate(f.Feature, 24), Font));
        var (w, band) = (o.Width - left - 24, (o.Height - Top - Bottom) / shown.Count);
        double Px(double v) => left + (axis.Fraction(v) * w);
        foreach (var t in axis.Values)
        {
            svg.Line(Px(t), Top, Px(t), Top + (band * shown.Count), t == 0 ? Palette.Axis : Palette.Grid);
            svg.Text(Px(t), Top + (band * shown.Count) + 16, Number(t), Font, "middle", $"class=\"x-tick\" fill=\"{Palette.Text}\"");
        }
        svg.Text(left + (w / 2), o.Height - 12, "contribution to the raw score (blue: low value, red: high)", Font, "middle", $"fill=\"{Palette.Text}\"");
        for (var i = 0; i < shown.Count; i++)
        {
            var feature = shown[i];
            var center = Top + (i * band) + (band / 2);
            svg.Text(left - 6, center + 4, Truncate(feature.Feature, 24), Font, "end", $"class=\"feature\" fill=\"{Palette.Text}\"");
            var ranks = Ranks(feature.Values, sample);
            // pile dots that fall in the same pixel column up and down from the centre line
            var piles = new Dictionary<int, int>();
            foreach (var r in sample)
            {
                var c = feature.Contributions[r];
                if (!double.IsFinite(c))
                {
                    continue;
                }
                var x = Px(c);
                var column = (int)Math.Round(x / 3);
                var n = piles.GetValueOrDefault(column);
                piles[column] = n + 1;
                var offset = ((n + 1) / 2) * (n % 2 == 0 ? 1 : -1) * 2.2;
                if (Math.Abs(offset) > (band / 2) - 3)
                {
                    continue; // the pile is full: the band shows its density already
                }
                var color = ranks.TryGetValue(r, out var rank) ? Color(rank) : Palette.Reference;
                svg.Raw($"<circle class=\"dot\" cx=\"{F(x)}\" cy=\"{F(center + offset)}\" r=\"1.8\" fill=\"{color}\" fill-opacity=\"0.8\"/>");
            }
        }
        return svg.ToString();
    }

    /// <summary>A dependence plot: a numeric feature's value (x) against its contribution (y), one dot per row.</summary>
    public static string Dependence(FeatureContributions feature, int maxDots = 2000, ChartOptions? options = null)
    {
        var points = new List<(double X, double Y)>();
        if (feature.Values is { } values)
        {
            var step = Math.Max(1, values.Count / maxDots);
            for (var r = 0; r < values.Count; r += step)
            {
                if (double.IsFinite(values[r]) && double.IsFinite(feature.Contributions[r]))
                {
                    points.Add((values[r], feature.Contributions[r]));
                }
            }
        }
        var o = (options ?? new ChartOptions()).Validated();
        var svg = new SvgDocument(o.Width, o.Height, $"Dependence: {feature.Feature}");
        if (points.Count == 0)
        {
            svg.Text(o.Width / 2.0, o.Height / 2.0, "No data", 14, "middle", $"class=\"no-data\" fill=\"{Palette.Reference}\"");
            return svg.ToString();
        }
        var xAxis = AxisTicks.Linear(points.Min(p => p.X), points.Max(p => p.X));
        var yAxis = AxisTicks.Linear(Math.Min(0, points.Min(p => p.Y)), Math.Max(0, points.Max(p => p.Y)));
        const double left = 64, right = 20;
        var (w, h) = (o.Width - left - right, o.Height - Top - Bottom);
        double Px(double v) => left + (xAxis.Fraction(v) * w);
        double Py(double v) => Top + h - (yAxis.Fraction(v) * h);
        foreach (var t in xAxis.Values)
        {
            svg.Line(Px(t), Top, Px(t), Top + h, Palette.Grid);
            svg.Text(Px(t), Top + h + 16, Number(t), Font, "middle", $"class=\"x-tick\" fill=\"{Palette.Text}\"");
        }
        foreach (var t in yAxis.Values)
        {
            svg.Line(left, Py(t), left + w, Py(t), t == 0 ? Palette.Axis : Palette.Grid);
            svg.Text(left - 6, Py(t) + 4, Number(t), Font, "end", $"class=\"y-tick\" fill=\"{Palette.Text}\"");
        }
        svg.Text(left + (w / 2), o.Height - 12, feature.Feature, Font, "middle", $"fill=\"{Palette.Text}\"");
        svg.Text(14, Top + (h / 2), "contribution", Font, "middle", $"fill=\"{Palette.Text}\" transform=\"rotate(-90 14 {F(Top + (h / 2))})\"");
        foreach (var (x, y) in points)
        {
            svg.Raw($"<circle class=\"dot\" cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"2\" fill=\"{Palette.Series(0).Color}\" fill-opacity=\"0.6\"/>");
        }
        return svg.ToString();
    }

    /// <summary>Each sampled row's value rank in [0, 1] among the finite values (none for a categorical feature).</summary>
    private static Dictionary<int, double> Ranks(IReadOnlyList<double>? values, List<int> sample)
    {
        var ranks = new Dictionary<int, double>();
        if (values is null)
        {
            return ranks;
        }
        var finite = sample.Where(r => double.IsFinite(values[r])).OrderBy(r => values[r]).ToList();
        for (var i = 0; i < finite.Count; i++)
        {
            ranks[finite[i]] = finite.Count == 1 ? 0.5 : (double)i / (finite.Count - 1);
        }
        return ranks;
    }

    /// <summary>Blue (0) to red (1) through purple.</summary>
    private static string Color(double t)
    {
        var (r, g, b) = ((int)(30 + (225 * t)), (int)(136 - (100 * t)), (int)(229 - (170 * t)));
        return string.Create(CultureInfo.InvariantCulture, $"#{r:x2}{g:x2}{b:x2}");
    }
}
