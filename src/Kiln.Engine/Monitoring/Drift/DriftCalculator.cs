using System.Globalization;
using Kiln.Engine.Data.Validation;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Monitoring.Drift;

/// <summary>
/// Drift between two profiled windows (a reference and a current one), from their mergeable summaries alone — quantile
/// sketches for numbers, counts for categories — so a window is profiled once, windows merge, and drift never rescans
/// rows. The method per column follows Evidently's defaults: with at most 1,000 reference values, KS for numbers with
/// more than 5 distinct values, a Z-test for binary columns and chi-square for other categories (drift when p &lt; 0.05);
/// with more, the Wasserstein distance normed by the reference's standard deviation for numbers and the Jensen-Shannon
/// distance for categories (drift at ≥ 0.1). Any column may name another method or threshold.
/// </summary>
public static class DriftCalculator
{
    /// <summary>Evidently's boundary between small and large reference samples.</summary>
    public const int SmallReference = 1000;

    private const int DistributionBins = 20;
    private const int PsiBins = 10;
    private const double ShareFloor = 1e-4;

    /// <summary>Compares every column both profiles have (or <see cref="DriftOptions.Columns"/>).</summary>
    public static DriftReport Compare(TableProfile reference, TableProfile current, DriftOptions? options = null)
    {
        options ??= DriftOptions.Default;
        var columns = new List<ColumnDrift>();
        var skipped = new List<(string, string)>();
        var names = options.Columns ?? [.. reference.Columns.Select(c => c.Name).Where(n => current.Columns.Any(c => c.Name == n))];
        foreach (var name in names)
        {
            var r = reference.Columns.FirstOrDefault(c => c.Name == name);
            var c = current.Columns.FirstOrDefault(c => c.Name == name);
            if (r is null || c is null)
            {
                skipped.Add((name, r is null ? "not in the reference" : "not in the current data"));
                continue;
            }
            var (drift, why) = Column(r, c, options);
            if (drift is null)
            {
                skipped.Add((name, why!));
            }
            else
            {
                columns.Add(drift);
            }
        }
        var share = columns.Count == 0 ? 0 : (double)columns.Count(d => d.Drifted) / columns.Count;
        return new DriftReport(columns, share, options.ShareThreshold, skipped);
    }

    /// <summary>One column's drift, or why it cannot be compared.</summary>
    public static (ColumnDrift? Drift, string? Reason) Column(ColumnProfile reference, ColumnProfile current, DriftOptions options)
    {
        var name = reference.Name;
        var shares = Categories(reference);
        var currentShares = Categories(current);
        // numbers with at most 5 distinct values on both sides compare as categories, as Evidently does
        var numeric = reference.Numeric?.Sketch is not null && current.Numeric?.Sketch is not null && (shares is null || currentShares is null);
        if (!numeric && (shares is null || currentShares is null))
        {
            return (null, reference.Kind == ColumnKind.Text ? "a text column (free text has no distribution to compare)"
                : reference.Numeric is not null && reference.Numeric.Sketch is null ? "its profile predates quantile sketches: profile the reference again"
                : "the two sides are of different kinds");
        }
        var referenceRows = reference.Count - reference.MissingCount;
        var currentRows = current.Count - current.MissingCount;
        if (referenceRows == 0 || currentRows == 0)
        {
            return (null, referenceRows == 0 ? "no values in the reference" : "no values in the current data");
        }
        var kind = numeric ? "numeric" : shares!.Count(s => s.Value > 0) <= 2 ? "binary" : "categorical";
        var method = options.Methods is not null && options.Methods.TryGetValue(name, out var chosen) ? chosen : options.Method ?? kind switch
        {
            "numeric" => referenceRows <= SmallReference ? DriftMethod.Ks : DriftMethod.Wasserstein,
            "binary" => referenceRows <= SmallReference ? DriftMethod.ZTest : DriftMethod.JensenShannon,
            _ => referenceRows <= SmallReference ? DriftMethod.ChiSquare : DriftMethod.JensenShannon,
        };
        var threshold = options.Thresholds is not null && options.Thresholds.TryGetValue(name, out var own) ? own : options.DefaultThreshold ?? method.DefaultThreshold();
        double score;
        Distribution distribution;
        if (numeric)
        {
            var (rs, cs) = (reference.Numeric!.Sketch!, current.Numeric!.Sketch!);
            score = method switch
            {
                DriftMethod.Ks => Probability.KolmogorovSmirnovP(KolmogorovSmirnov(rs, cs), referenceRows, currentRows),
                DriftMethod.Wasserstein => NormedWasserstein(rs, cs, reference.Numeric.StandardDeviation),
                DriftMethod.AndersonDarling => AndersonDarlingP(rs, cs, referenceRows, currentRows),
                DriftMethod.Psi => Psi(Bins(rs, rs, PsiBins).Shares, Bins(rs, cs, PsiBins).Shares),
                DriftMethod.ChiSquare or DriftMethod.ZTest => throw Kiln.Core.Errors.KilnException.Invalid(
                    $"Column '{name}' is numeric with many values: {method.Name()} compares categories; use ks, wasserstein, anderson, psi, jensenshannon, kl_div or hellinger."),
                _ => BinnedDistance(method, Bins(rs, rs, DistributionBins).Shares, Bins(rs, cs, DistributionBins).Shares),
            };
            distribution = NumericDistribution(rs, cs, method, score);
        }
        else
        {
            var labels = shares!.Keys.Union(currentShares!.Keys).OrderByDescending(k => Math.Max(shares.GetValueOrDefault(k), currentShares.GetValueOrDefault(k))).ThenBy(k => k, StringComparer.Ordinal).ToList();
            var p = labels.Select(l => shares.GetValueOrDefault(l)).ToArray();
            var q = labels.Select(l => currentShares.GetValueOrDefault(l)).ToArray();
            score = method switch
            {
                DriftMethod.ChiSquare => ChiSquareP(p, q, currentRows),
                DriftMethod.ZTest => ZTestP(p, q, referenceRows, currentRows),
                DriftMethod.Ks or DriftMethod.Wasserstein or DriftMethod.AndersonDarling => throw Kiln.Core.Errors.KilnException.Invalid(
                    $"Column '{name}' is categorical: {method.Name()} compares numbers; use chisquare, z, jensenshannon, psi, kl_div or hellinger."),
                DriftMethod.Psi => Psi(p, q),
                _ => BinnedDistance(method, p, q),
            };
            distribution = new Distribution(method.Name(), score, labels, p, q);
        }
        var drifted = method.IsTest() ? score < threshold : score >= threshold;
        return (new ColumnDrift(name, kind, method, score, threshold, drifted, referenceRows, currentRows, distribution), null);
    }

    /// <summary>Category → share of the non-missing values: a categorical column's counts, or the values of a numeric one
    /// with at most 5 distinct values read off its sketch; null for other columns.</summary>
    private static Dictionary<string, double>? Categories(ColumnProfile profile)
    {
        if (profile.Categorical is { } categorical)
        {
            var total = (double)categorical.Categories.Sum(c => c.Count);
            return categorical.Categories.Where(c => c.Count > 0).ToDictionary(c => c.Category, c => total > 0 ? c.Count / total : 0, StringComparer.Ordinal);
        }
        if (profile.Numeric?.Sketch is { Count: > 0 } sketch && profile.DistinctEstimate is > 0 and <= 5)
        {
            // a point run of one value spans its share of the ranks
            var points = sketch.Points;
            var intervals = points.Count - 1;
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            var runStart = 0;
            for (var i = 1; i <= points.Count; i++)
            {
                if (i == points.Count || points[i] != points[runStart])
                {
                    var share = (double)(i - runStart) / (intervals + 1);
                    var key = points[runStart].ToString("R", CultureInfo.InvariantCulture);
                    result[key] = result.GetValueOrDefault(key) + share;
                    runStart = i;
                }
            }
            return result;
        }
        return null;
    }

    /// <summary>The KS statistic: the largest gap between the two distribution functions, over both sketches' points.</summary>
    internal static double KolmogorovSmirnov(QuantileSketch reference, QuantileSketch current)
    {
        var d = 0.0;
        foreach (var x in reference.Points.Concat(current.Points))
        {
            d = Math.Max(d, Math.Abs(reference.Cdf(x) - current.Cdf(x)));
        }
        return d;
    }

    /// <summary>W1 = ∫₀¹ |F⁻¹(p) − G⁻¹(p)| dp over the sketches' quantile functions, divided by the reference's standard deviation.</summary>
    internal static double NormedWasserstein(QuantileSketch reference, QuantileSketch current, double referenceStd)
    {
        const int steps = 2000;
        var sum = 0.0;
        for (var i = 0; i < steps; i++)
        {
            var p = (i + 0.5) / steps;
            sum += Math.Abs(reference.Quantile(p) - current.Quantile(p));
        }
        var distance = sum / steps;
        return referenceStd > 0 ? distance / referenceStd : distance > 0 ? double.PositiveInfinity : 0;
    }

    /// <summary>The two-sample Anderson-Darling statistic integrated over the pooled distribution function, and its asymptotic p-value.</summary>
    internal static double AndersonDarlingP(QuantileSketch reference, QuantileSketch current, long n, long m)
    {
        var total = (double)(n + m);
        var pooled = reference.Merge(current);
        const int steps = 2000;
        var a2 = 0.0;
        for (var i = 0; i < steps; i++)
        {
            var h = (i + 0.5) / steps;
            var x = pooled.Quantile(h);
            var gap = reference.Cdf(x) - current.Cdf(x);
            a2 += gap * gap / (h * (1 - h));
        }
        a2 *= n * m / total / steps;
        return 1 - AdInfinityCdf(a2);
    }

    /// <summary>Marsaglia and Marsaglia's approximation of the limiting Anderson-Darling distribution function.</summary>
    private static double AdInfinityCdf(double z)
    {
        if (z <= 0)
        {
            return 0;
        }
        return z < 2
            ? Math.Exp(-1.2337141 / z) / Math.Sqrt(z) * (2.00012 + ((0.247105 - ((0.0649821 - ((0.0347962 - ((0.011672 - (0.00168691 * z)) * z)) * z)) * z)) * z))
            : Math.Exp(-Math.Exp(1.0776 - ((2.30695 - ((0.43424 - ((0.082433 - ((0.008056 - (0.0003146 * z)) * z)) * z)) * z)) * z)));
    }

    /// <summary>Shares of <paramref name="side"/> in bins at equal-probability quantiles of <paramref name="binsFrom"/> (open at both ends).</summary>
    private static (double[] Shares, double[] Edges) Bins(QuantileSketch binsFrom, QuantileSketch side, int bins)
    {
        var edges = Enumerable.Range(1, bins - 1).Select(i => binsFrom.Quantile((double)i / bins)).Distinct().ToArray();
        var shares = new double[edges.Length + 1];
        var previous = 0.0;
        for (var i = 0; i <= edges.Length; i++)
        {
            var cdf = i < edges.Length ? side.Cdf(edges[i]) : 1.0;
            shares[i] = Math.Max(0, cdf - previous);
            previous = cdf;
        }
        return (shares, edges);
    }

    private static Distribution NumericDistribution(QuantileSketch reference, QuantileSketch current, DriftMethod method, double score)
    {
        var (p, edges) = Bins(reference, reference, DistributionBins);
        var (q, _) = Bins(reference, current, DistributionBins);
        var labels = Enumerable.Range(0, p.Length).Select(i => i == 0 ? $"≤ {Short(edges.Length > 0 ? edges[0] : reference.Quantile(1))}"
            : i == edges.Length ? $"> {Short(edges[^1])}" : $"{Short(edges[i - 1])} – {Short(edges[i])}").ToList();
        return new Distribution(method.Name(), score, labels, p, q);
    }

    private static string Short(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static double BinnedDistance(DriftMethod method, IReadOnlyList<double> p, IReadOnlyList<double> q) => method switch
    {
        DriftMethod.JensenShannon => Distribution.JensenShannon(p, q),
        DriftMethod.Kl => Enumerable.Range(0, p.Count).Sum(i => Floor(p[i]) * Math.Log(Floor(p[i]) / Floor(q[i]))),
        DriftMethod.Hellinger => Math.Sqrt(Enumerable.Range(0, p.Count).Sum(i => Math.Pow(Math.Sqrt(p[i]) - Math.Sqrt(q[i]), 2)) / 2),
        _ => throw new InvalidOperationException($"{method} is not a binned distance."),
    };

    /// <summary>PSI = Σ (q − p) ln(q / p), shares floored at 1e-4 as Evidently does.</summary>
    internal static double Psi(IReadOnlyList<double> p, IReadOnlyList<double> q) =>
        Enumerable.Range(0, p.Count).Sum(i => (Floor(q[i]) - Floor(p[i])) * Math.Log(Floor(q[i]) / Floor(p[i])));

    private static double Floor(double share) => Math.Max(share, ShareFloor);

    /// <summary>Chi-square goodness of fit of the current counts to the reference shares; a category the reference never had makes p = 0.</summary>
    private static double ChiSquareP(double[] p, double[] q, long currentRows)
    {
        var statistic = 0.0;
        var categories = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var expected = p[i] * currentRows;
            var observed = q[i] * currentRows;
            if (expected <= 0)
            {
                if (observed > 0)
                {
                    return 0;
                }
                continue;
            }
            statistic += (observed - expected) * (observed - expected) / expected;
            categories++;
        }
        return Probability.ChiSquareSurvival(statistic, categories - 1);
    }

    /// <summary>The two-proportion Z-test on the first category's share.</summary>
    private static double ZTestP(double[] p, double[] q, long n, long m)
    {
        var (a, b) = (p[0], q[0]);
        var pooled = ((a * n) + (b * m)) / (n + m);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n) + (1.0 / m)));
        return se > 0 ? Probability.NormalTwoSided((a - b) / se) : a == b ? 1 : 0;
    }
}
