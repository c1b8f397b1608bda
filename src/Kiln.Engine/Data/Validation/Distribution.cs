using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data.Validation;

/// <summary>Two distributions of one column side by side: labelled bins with each side's share, and their distance.</summary>
/// <param name="Method">js (Jensen-Shannon distance, natural log, as scipy's jensenshannon and Evidently) or linf (largest share difference, as TFDV).</param>
/// <param name="Distance">The distance between the two sides.</param>
/// <param name="Labels">The bins (numeric ranges) or categories.</param>
/// <param name="Reference">The reference side's share per bin.</param>
/// <param name="Current">The current side's share per bin.</param>
public sealed record Distribution(string Method, double Distance, IReadOnlyList<string> Labels, IReadOnlyList<double> Reference, IReadOnlyList<double> Current)
{
    private const int Bins = 10;

    /// <summary>
    /// Numeric columns, from their quantile sketches alone: ten bins at the reference's deciles (open at both ends, so values
    /// beyond the reference's range count), each side's share from its sketch, and their Jensen-Shannon distance.
    /// </summary>
    public static Distribution Numeric(QuantileSketch reference, QuantileSketch current)
    {
        var edges = Enumerable.Range(1, Bins - 1).Select(i => reference.Quantile((double)i / Bins)).Distinct().ToList();
        var labels = new List<string>();
        var (p, q) = (new List<double>(), new List<double>());
        var (previousP, previousQ) = (0.0, 0.0);
        for (var i = 0; i <= edges.Count; i++)
        {
            var (cp, cq) = i < edges.Count ? (reference.Cdf(edges[i]), current.Cdf(edges[i])) : (1.0, 1.0);
            p.Add(Math.Max(0, cp - previousP));
            q.Add(Math.Max(0, cq - previousQ));
            (previousP, previousQ) = (cp, cq);
            labels.Add(i == 0 ? $"≤ {Short(edges.Count > 0 ? edges[0] : reference.Quantile(1))}" : i == edges.Count ? $"> {Short(edges[^1])}" : $"{Short(edges[i - 1])} – {Short(edges[i])}");
        }
        return new Distribution("js", JensenShannon(p, q), labels, p, q);
    }

    /// <summary>Categorical columns: each category's share of the non-missing values on each side and the largest difference.</summary>
    public static Distribution Categorical(IReadOnlyList<CategoryCount> reference, IReadOnlyList<CategoryCount> current)
    {
        var (totalP, totalQ) = ((double)reference.Sum(c => c.Count), (double)current.Sum(c => c.Count));
        var shares = new Dictionary<string, (double P, double Q)>(StringComparer.Ordinal);
        foreach (var c in reference)
        {
            shares[c.Category] = (totalP > 0 ? c.Count / totalP : 0, 0);
        }
        foreach (var c in current)
        {
            shares[c.Category] = (shares.GetValueOrDefault(c.Category).P, totalQ > 0 ? c.Count / totalQ : 0);
        }
        var ordered = shares.Where(kv => kv.Value.P > 0 || kv.Value.Q > 0).OrderByDescending(kv => Math.Max(kv.Value.P, kv.Value.Q)).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var distance = ordered.Count == 0 ? 0 : ordered.Max(kv => Math.Abs(kv.Value.P - kv.Value.Q));
        return new Distribution("linf", distance, [.. ordered.Select(kv => kv.Key)], [.. ordered.Select(kv => kv.Value.P)], [.. ordered.Select(kv => kv.Value.Q)]);
    }

    /// <summary>The bin or category whose share moved most, with both shares.</summary>
    public (string Label, double Reference, double Current) LargestChange()
    {
        var best = 0;
        for (var i = 1; i < Labels.Count; i++)
        {
            if (Math.Abs(Reference[i] - Current[i]) > Math.Abs(Reference[best] - Current[best]))
            {
                best = i;
            }
        }
        return Labels.Count == 0 ? ("", 0, 0) : (Labels[best], Reference[best], Current[best]);
    }

    /// <summary>sqrt of the Jensen-Shannon divergence in nats (scipy.spatial.distance.jensenshannon's default base); 0 for identical shares.</summary>
    internal static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var (sp, sq) = (p.Sum(), q.Sum());
        if (sp <= 0 || sq <= 0)
        {
            return sp == sq ? 0 : Math.Sqrt(Math.Log(2));
        }
        var divergence = 0.0;
        for (var i = 0; i < p.Count; i++)
        {
            var (a, b) = (p[i] / sp, q[i] / sq);
            var m = (a + b) / 2;
            divergence += (a > 0 ? a * Math.Log(a / m) : 0) + (b > 0 ? b * Math.Log(b / m) : 0);
        }
        return Math.Sqrt(Math.Max(0, divergence / 2));
    }

    /// <summary>A bin edge for people: plain digits (at most three decimals) in the usual range, else four significant digits.</summary>
    internal static string Short(double value) => Math.Abs(value) is >= 1e-3 and < 1e9 || value == 0
        ? value.ToString("#,##0.###", System.Globalization.CultureInfo.InvariantCulture)
        : value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
