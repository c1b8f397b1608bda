namespace Kiln.Learn.Linear;

/// <summary>Elastic-net least squares by cyclic coordinate descent on the centred Gram matrix (scikit-learn's
/// "precompute" path): each sweep costs O(width²) whatever the row count.</summary>
internal static class ElasticNet
{
    /// <summary>Fits w and the intercept; <paramref name="onSweep"/> gets (sweep, w, intercept) after every sweep.</summary>
    public static (double[] Weights, double Intercept, OptimizerResult Result) Fit(GramStats stats, LinearOptions options,
        Action<int, double[], double>? onSweep, CancellationToken cancellationToken)
    {
        var d = stats.Width;
        var gram = new double[d * d];
        var c = new double[d];
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < d; b++)
            {
                gram[(a * d) + b] = stats.Gram[(a * d) + b] - (stats.Mean[a] * stats.Mean[b]);
            }
            c[a] = stats.Xy[a] - (stats.Mean[a] * stats.YMean);
        }
        var l1 = options.Alpha * options.L1Ratio;
        var l2 = options.Alpha * (1 - options.L1Ratio);
        var w = new double[d];
        var q = new double[d];
        var sweep = 0;
        var converged = false;
        double maxChange = 0;
        while (!converged && sweep < options.MaxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            maxChange = 0;
            double maxWeight = 0;
            for (var j = 0; j < d; j++)
            {
                var diagonal = gram[(j * d) + j];
                if (diagonal <= 1e-12)
                {
                    continue;
                }
                var rho = c[j] - q[j] + (diagonal * w[j]);
                var updated = SoftThreshold(rho, l1) / (diagonal + l2);
                var change = updated - w[j];
                if (change != 0)
                {
                    for (var a = 0; a < d; a++)
                    {
                        q[a] += gram[(a * d) + j] * change;
                    }
                    w[j] = updated;
                }
                maxChange = Math.Max(maxChange, Math.Abs(change));
                maxWeight = Math.Max(maxWeight, Math.Abs(updated));
            }
            sweep++;
            onSweep?.Invoke(sweep, w, Intercept(stats, w));
            converged = maxChange == 0 || maxChange <= options.Tolerance * maxWeight;
        }
        var intercept = Intercept(stats, w);
        var loss = (0.5 * stats.MeanSquaredError(w, intercept)) + Penalty(w, l1, l2);
        return (w, intercept, new OptimizerResult(sweep, loss, SubgradientNorm(gram, c, w, l1, l2), converged));
    }

    /// <summary>The objective 1/(2n)·‖y − Xw − b‖² + penalties.</summary>
    public static double Objective(GramStats stats, double[] w, double intercept, LinearOptions options) =>
        (0.5 * stats.MeanSquaredError(w, intercept)) + Penalty(w, options.Alpha * options.L1Ratio, options.Alpha * (1 - options.L1Ratio));

    /// <summary>The largest component of the minimum-norm subgradient (0 at the exact optimum).</summary>
    private static double SubgradientNorm(double[] gram, double[] c, double[] w, double l1, double l2)
    {
        var d = w.Length;
        var max = 0.0;
        for (var j = 0; j < d; j++)
        {
            var g = (l2 * w[j]) - c[j];
            for (var a = 0; a < d; a++)
            {
                g += gram[(j * d) + a] * w[a];
            }
            var violation = w[j] != 0 ? Math.Abs(g + (l1 * Math.Sign(w[j]))) : Math.Max(Math.Abs(g) - l1, 0);
            max = Math.Max(max, violation);
        }
        return max;
    }

    private static double Intercept(GramStats stats, double[] w)
    {
        var b = stats.YMean;
        for (var j = 0; j < w.Length; j++)
        {
            b -= stats.Mean[j] * w[j];
        }
        return b;
    }

    private static double Penalty(double[] w, double l1, double l2)
    {
        double abs = 0, squares = 0;
        foreach (var v in w)
        {
            abs += Math.Abs(v);
            squares += v * v;
        }
        return (l1 * abs) + (0.5 * l2 * squares);
    }

    private static double SoftThreshold(double x, double t) => x > t ? x - t : x < -t ? x + t : 0;
}
