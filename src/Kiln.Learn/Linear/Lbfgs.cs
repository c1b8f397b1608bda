namespace Kiln.Learn.Linear;

/// <summary>How an optimiser run ended.</summary>
/// <param name="Iterations">Iterations run.</param>
/// <param name="Loss">The objective at the end.</param>
/// <param name="GradientNorm">The largest absolute gradient component at the end.</param>
/// <param name="Converged">Whether a convergence test (not the iteration limit) stopped the run.</param>
internal sealed record OptimizerResult(int Iterations, double Loss, double GradientNorm, bool Converged);

/// <summary>Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4/7.5) with a backtracking Armijo line search,
/// for smooth convex objectives. Stops when the largest gradient component is at most the tolerance or the objective's
/// relative decrease falls below 1e-12.</summary>
internal static class Lbfgs
{
    private const double Armijo = 1e-4;
    private const double RelativeDecrease = 1e-12;

    /// <summary>Minimises <paramref name="objective"/> (value; writes the gradient into its second argument) from
    /// <paramref name="w"/>, which holds the solution on return. <paramref name="onIteration"/> gets (iteration, loss).</summary>
    public static OptimizerResult Minimize(Func<double[], double[], double> objective, double[] w, int history, int maxIterations,
        double tolerance, Action<int, double>? onIteration, CancellationToken cancellationToken)
    {
        var n = w.Length;
        var g = new double[n];
        var f = objective(w, g);
        var s = new double[history][];
        var y = new double[history][];
        var rho = new double[history];
        var alpha = new double[history];
        var direction = new double[n];
        var trial = new double[n];
        var trialGradient = new double[n];
        var sNew = new double[n];
        var yNew = new double[n];
        var stored = 0;
        var newest = -1;
        var gradientNorm = MaxAbs(g);
        var iteration = 0;
        var converged = gradientNorm <= tolerance;
        while (!converged && iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // two-loop recursion: direction = -H·g
            Array.Copy(g, direction, n);
            for (var m = 0; m < stored; m++)
            {
                var j = ((newest - m) % history + history) % history;
                alpha[j] = rho[j] * Dot(s[j], direction);
                Axpy(-alpha[j], y[j], direction);
            }
            var gamma = stored == 0 ? 1 / Math.Max(1, Norm(g)) : Dot(s[newest], y[newest]) / Dot(y[newest], y[newest]);
            Scale(direction, gamma);
            for (var m = stored - 1; m >= 0; m--)
            {
                var j = ((newest - m) % history + history) % history;
                var beta = rho[j] * Dot(y[j], direction);
                Axpy(alpha[j] - beta, s[j], direction);
            }
            Scale(direction, -1);
            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                Array.Copy(g, direction, n);
                Scale(direction, -1 / Math.Max(1, Norm(g)));
                slope = Dot(g, direction);
            }
            var step = 1.0;
            double fTrial;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    trial[i] = w[i] + (step * direction[i]);
                }
                fTrial = objective(trial, trialGradient);
                if (fTrial <= f + (Armijo * step * slope) || step < 1e-20)
                {
                    break;
                }
                step *= 0.5;
            }
            iteration++;
            for (var i = 0; i < n; i++)
            {
                sNew[i] = trial[i] - w[i];
                yNew[i] = trialGradient[i] - g[i];
            }
            var sy = Dot(sNew, yNew);
            if (sy > 1e-12 * Dot(yNew, yNew))
            {
                // keep the pair: it takes the oldest slot, whose arrays become the next scratch pair
                newest = (newest + 1) % history;
                (s[newest], sNew) = (sNew, s[newest] ?? new double[n]);
                (y[newest], yNew) = (yNew, y[newest] ?? new double[n]);
                rho[newest] = 1 / sy;
                stored = Math.Min(stored + 1, history);
            }
            var decrease = f - fTrial;
            Array.Copy(trial, w, n);
            Array.Copy(trialGradient, g, n);
            f = fTrial;
            gradientNorm = MaxAbs(g);
            onIteration?.Invoke(iteration, f);
            converged = gradientNorm <= tolerance || decrease <= RelativeDecrease * Math.Max(1, Math.Abs(f));
        }
        return new OptimizerResult(iteration, f, gradientNorm, converged);
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(double[] a)
    {
        var max = 0.0;
        foreach (var v in a)
        {
            max = Math.Max(max, Math.Abs(v));
        }
        return max;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }
}
