namespace Kiln.Learn.Explanations;

/// <summary>
/// One leaf's path-dependent SHAP values for every pattern of which of the d distinct features on its path a row
/// satisfies: for slot s, φ_s = v · (o_s − z_s) · Σ_{S ⊆ F∖s} |S|!(d−|S|−1)!/d! · Π_{k∈S} o_k · Π_{k∉S, k≠s} z_k, with o
/// the pattern's bits and z the share of each split's cover that took the leaf's side. The sums over subsets come from
/// the polynomial Π_k (z_k + o_k·t) divided by slot s's factor.
/// </summary>
internal static class LeafShapley
{
    /// <summary>A leaf's values for each of its 2^d patterns, d per pattern (pattern × d + slot); <paramref name="zeros"/> per slot.</summary>
    public static double[] Values(double value, IReadOnlyList<double> zeros)
    {
        var d = zeros.Count;
        var poly = new double[d + 2];
        var quotient = new double[d + 2];
        var result = new double[(1 << d) * d];
        // the subset weights |S|!(d−|S|−1)!/d! for d players
        Span<double> weights = stackalloc double[Math.Max(d, 1)];
        for (var j = 0; j < d; j++)
        {
            weights[j] = Factorial(j) * Factorial(d - j - 1) / Factorial(d);
        }
        for (var pattern = 0; pattern < 1 << d; pattern++)
        {
            // the polynomial Π_k (z_k + o_k·t): coefficient j sums the products over subsets S of size j
            Array.Clear(poly);
            poly[0] = 1;
            for (var k = 0; k < d; k++)
            {
                var o = (pattern >> k) & 1;
                for (var j = k + 1; j >= 0; j--)
                {
                    poly[j] = (poly[j] * zeros[k]) + (j > 0 && o != 0 ? poly[j - 1] : 0);
                }
            }
            for (var s = 0; s < d; s++)
            {
                var o = (pattern >> s) & 1;
                var z = zeros[s];
                var sum = 0.0;
                var q = WithoutFactor(poly, quotient, d, s, o, z, zeros, pattern);
                for (var j = 0; j < d; j++)
                {
                    sum += q[j] * weights[j];
                }
                result[(pattern * d) + s] = value * (o - z) * sum;
            }
        }
        return result;
    }

    /// <summary>The polynomial without factor (z_s + o_s·t): by synthetic division, or rebuilt without it when the
    /// factor is the constant 0.</summary>
    private static double[] WithoutFactor(double[] poly, double[] q, int d, int s, int o, double z, IReadOnlyList<double> zeros, int pattern)
    {
        Array.Clear(q);
        if (o != 0)
        {
            // poly = (t + z)·q, from the top coefficient down
            q[d - 1] = poly[d];
            for (var j = d - 1; j >= 1; j--)
            {
                q[j - 1] = poly[j] - (z * q[j]);
            }
            return q;
        }
        if (z > 1e-9)
        {
            for (var j = 0; j < d; j++)
            {
                q[j] = poly[j] / z;
            }
            return q;
        }
        q[0] = 1;
        var terms = 0;
        for (var k = 0; k < d; k++)
        {
            if (k == s)
            {
                continue;
            }
            var ok = (pattern >> k) & 1;
            terms++;
            for (var j = terms; j >= 0; j--)
            {
                q[j] = (q[j] * zeros[k]) + (j > 0 && ok != 0 ? q[j - 1] : 0);
            }
        }
        return q;
    }

    private static double Factorial(int n)
    {
        var f = 1.0;
        for (var i = 2; i <= n; i++)
        {
            f *= i;
        }
        return f;
    }
}
