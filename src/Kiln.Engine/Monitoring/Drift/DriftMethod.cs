using Kiln.Core.Errors;

namespace Kiln.Engine.Monitoring.Drift;

/// <summary>A drift test or distance, as Evidently names them.</summary>
public enum DriftMethod
{
    /// <summary>Two-sample Kolmogorov-Smirnov test (numeric); drift when p &lt; threshold (0.05).</summary>
    Ks,

    /// <summary>Chi-square goodness of fit of the current counts to the reference shares (categorical); p &lt; threshold (0.05).</summary>
    ChiSquare,

    /// <summary>Two-proportion Z-test (binary); p &lt; threshold (0.05).</summary>
    ZTest,

    /// <summary>Wasserstein-1 distance divided by the reference's standard deviation (numeric); ≥ threshold (0.1).</summary>
    Wasserstein,

    /// <summary>Jensen-Shannon distance (natural log) between the binned or categorical shares; ≥ threshold (0.1).</summary>
    JensenShannon,

    /// <summary>Population stability index over the reference's deciles or the categories; ≥ threshold (0.1).</summary>
    Psi,

    /// <summary>Kullback-Leibler divergence of the reference from the current shares; ≥ threshold (0.1).</summary>
    Kl,

    /// <summary>Hellinger distance between the shares; ≥ threshold (0.1).</summary>
    Hellinger,

    /// <summary>Anderson-Darling k-sample statistic from the two distribution functions (numeric); p &lt; threshold (0.05).</summary>
    AndersonDarling,
}

/// <summary>Names, defaults and direction of the methods.</summary>
public static class DriftMethods
{
    /// <summary>Whether the method's score is a p-value (drift when below the threshold) rather than a distance (at or above).</summary>
    public static bool IsTest(this DriftMethod method) => method is DriftMethod.Ks or DriftMethod.ChiSquare or DriftMethod.ZTest or DriftMethod.AndersonDarling;

    /// <summary>Evidently's default threshold: 0.05 for tests, 0.1 for distances.</summary>
    public static double DefaultThreshold(this DriftMethod method) => method.IsTest() ? 0.05 : 0.1;

    /// <summary>The name used in options, reports and metrics (<c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c>, <c>psi</c>, <c>kl_div</c>, <c>hellinger</c>, <c>anderson</c>).</summary>
    public static string Name(this DriftMethod method) => method switch
    {
        DriftMethod.Ks => "ks",
        DriftMethod.ChiSquare => "chisquare",
        DriftMethod.ZTest => "z",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.Psi => "psi",
        DriftMethod.Kl => "kl_div",
        DriftMethod.Hellinger => "hellinger",
        _ => "anderson",
    };

    /// <summary>The method named <paramref name="name"/> (Evidently's names; <c>wasserstein</c> is the normed distance).</summary>
    public static DriftMethod Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "ks" => DriftMethod.Ks,
        "chisquare" or "chi2" or "chi-square" => DriftMethod.ChiSquare,
        "z" or "ztest" or "z-test" => DriftMethod.ZTest,
        "wasserstein" or "wasserstein_normed" => DriftMethod.Wasserstein,
        "jensenshannon" or "js" => DriftMethod.JensenShannon,
        "psi" => DriftMethod.Psi,
        "kl_div" or "kl" => DriftMethod.Kl,
        "hellinger" => DriftMethod.Hellinger,
        "anderson" or "anderson-darling" => DriftMethod.AndersonDarling,
        _ => throw KilnException.Invalid($"Unknown drift method '{name}': use ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger or anderson."),
    };
}
