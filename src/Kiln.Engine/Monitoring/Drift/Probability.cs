namespace Kiln.Engine.Monitoring.Drift;

/// <summary>The distribution tails the drift tests need: Kolmogorov (KS), chi-square and the standard normal.</summary>
public static class Probability
{
    /// <summary>The asymptotic two-sample KS p-value for statistic <paramref name="d"/> with sample sizes
    /// <paramref name="n"/> and <paramref name="m"/> (Stephens' small-sample correction of the effective size).</summary>
    public static double KolmogorovSmirnovP(double d, long n, long m)
    {
        if (n <= 0 || m <= 0)
        {
            return 1;
        }
        var effective = (double)n * m / (n + m);
        var root = Math.Sqrt(effective);
        var lambda = (root + 0.12 + (0.11 / root)) * d;
        if (lambda < 1e-3)
        {
            return 1;
        }
        var sum = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            sum += (k % 2 == 1 ? 1 : -1) * term;
            if (term < 1e-16)
            {
                break;
            }
        }
        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>P(X ≥ <paramref name="x"/>) for a chi-square variable with <paramref name="freedom"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double x, int freedom) =>
        freedom <= 0 ? 1 : x <= 0 ? 1 : UpperGamma(freedom / 2.0, x / 2.0);

    /// <summary>P(Z ≥ |<paramref name="z"/>|) × 2: the two-sided normal p-value.</summary>
    public static double NormalTwoSided(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>The regularised upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above).</summary>
    internal static double UpperGamma(double a, double x)
    {
        if (x < a + 1)
        {
            // P(a, x) by its series; Q = 1 - P
            var term = 1.0 / a;
            var sum = term;
            for (var n = 1; n < 1000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-15)
                {
                    break;
                }
            }
            return Math.Clamp(1 - (sum * Math.Exp((-x) + (a * Math.Log(x)) - LogGamma(a))), 0, 1);
        }
        // Lentz's continued fraction for Q(a, x)
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var dd = 1 / b;
        var h = dd;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            dd = (an * dd) + b;
            dd = Math.Abs(dd) < tiny ? tiny : dd;
            c = b + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            dd = 1 / dd;
            var delta = dd * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }
        return Math.Clamp(Math.Exp((-x) + (a * Math.Log(x)) - LogGamma(a)) * h, 0, 1);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7).</summary>
    internal static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }
        x -= 1;
        var a = g[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += g[i] / (x + i);
        }
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }

    /// <summary>The complementary error function (Numerical Recipes' erfc, relative error below 1.2e-7).</summary>
    internal static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 1; i--)
        {
            poly = (poly + c[i]) * t;
        }
        var r = t * Math.Exp((-z * z) + c[0] + poly);
        return x >= 0 ? r : 2 - r;
    }
}
