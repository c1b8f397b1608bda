namespace Kiln.Tabular.Statistics;

/// <summary>
/// A mergeable quantile summary of a numeric column: the values at ranks 0, 1/K, …, 1 of <see cref="Count"/> non-missing
/// values (K = 200: rank error at most 1/200 for one sketch). Two sketches merge through their weighted distribution
/// functions, so statistics of live traffic can be combined window by window and compared with a dataset version's.
/// </summary>
/// <param name="Count">The number of values summarised.</param>
/// <param name="Points">K + 1 values at equally spaced ranks, the first the minimum and the last the maximum.</param>
public sealed record QuantileSketch(long Count, IReadOnlyList<double> Points)
{
    /// <summary>The number of rank intervals a sketch keeps.</summary>
    public const int Intervals = 200;

    /// <summary>The sketch of sorted values (no NaN).</summary>
    public static QuantileSketch FromSorted(ReadOnlySpan<double> sorted)
    {
        if (sorted.IsEmpty)
        {
            return new QuantileSketch(0, []);
        }
        // each point is a value the column has, never one interpolated between two neighbours (a discrete column's sketch
        // then holds only its values, and merges can tell its point masses), and every value gets an equal share of the
        // points (the empirical distribution: a sketch of three rows is a third of each, not its middle row doubled)
        var points = new double[Intervals + 1];
        for (var i = 0; i <= Intervals; i++)
        {
            points[i] = sorted[(int)Math.Min(sorted.Length - 1, (long)i * sorted.Length / (Intervals + 1))];
        }
        points[Intervals] = sorted[^1];
        return new QuantileSketch(sorted.Length, points);
    }

    /// <summary>The share of values at or below <paramref name="x"/>, interpolated between the kept ranks.</summary>
    public double Cdf(double x)
    {
        if (Count == 0 || x < Points[0])
        {
            return 0;
        }
        if (x >= Points[^1])
        {
            return 1;
        }
        // the last point at or below x
        int lo = 0, hi = Points.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Points[mid] <= x)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        var step = 1.0 / (Points.Count - 1);
        if (lo > 0 && Points[lo] == x && Points[lo - 1] == x)
        {
            // a point mass (a run of the value): its rows reach half a step past the run's last rank, so a merge that
            // rounds its targets to ranks neither drifts the value's share down nor up
            return (lo + 0.5) * step;
        }
        var (a, b) = (Points[lo], Points[lo + 1]);
        return (lo + (b > a ? (x - a) / (b - a) : 0)) * step;
    }

    /// <summary>The value at probability <paramref name="p"/> in [0, 1].</summary>
    public double Quantile(double p)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        var position = Math.Clamp(p, 0, 1) * (Points.Count - 1);
        var lower = Math.Min((int)Math.Floor(position), Points.Count - 2);
        if (lower < 0)
        {
            return Points[0];
        }
        var fraction = position - lower;
        return Points[lower] + (fraction * (Points[lower + 1] - Points[lower]));
    }

    /// <summary>The sketch of both sketches' values together.</summary>
    public QuantileSketch Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return this;
        }
        if (Count == 0)
        {
            return other;
        }
        var total = (double)(Count + other.Count);
        double MergedCdf(double x) => ((Count * Cdf(x)) + (other.Count * other.Cdf(x))) / total;
        double MergedBelow(double x) => ((Count * CdfBelow(x)) + (other.Count * other.CdfBelow(x))) / total;
        var candidates = Points.Concat(other.Points).Distinct().Order().ToArray();
        // a value a sketch repeats is a point mass (a discrete column's value): quantiles that fall in its jump are the
        // value itself, never a number interpolated between it and its neighbour (which no row has); quantiles below the
        // jump interpolate in the continuous part before it
        var points = new double[Intervals + 1];
        points[0] = candidates[0];
        points[^1] = candidates[^1];
        var c = 0;
        for (var i = 1; i < Intervals; i++)
        {
            var target = (double)i / Intervals;
            // the first candidate whose merged distribution reaches the target, then interpolate back into the gap before it
            while (c < candidates.Length - 1 && MergedCdf(candidates[c]) < target)
            {
                c++;
            }
            if (c == 0)
            {
                points[i] = candidates[0];
                continue;
            }
            var (x0, x1) = (candidates[c - 1], candidates[c]);
            var (f0, below) = (MergedCdf(x0), MergedBelow(x1));
            points[i] = target <= below && below > f0 ? x0 + ((target - f0) / (below - f0) * (x1 - x0)) : x1;
        }
        return new QuantileSketch(Count + other.Count, points);
    }

    /// <summary>The share of values below <paramref name="x"/> (the distribution function's left limit): below a point mass
    /// (a run of the value) half a rank before its run starts; elsewhere the distribution is continuous and this is <see cref="Cdf"/>.</summary>
    public double CdfBelow(double x)
    {
        if (Count == 0 || x <= Points[0])
        {
            return 0;
        }
        if (x > Points[^1])
        {
            return 1;
        }
        var first = -1;
        for (int lo = 0, hi = Points.Count - 1; lo <= hi;)
        {
            var mid = (lo + hi) / 2;
            if (Points[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                first = Points[mid] == x ? mid : first;
                hi = mid - 1;
            }
        }
        var run = first >= 0 && first + 1 < Points.Count && Points[first + 1] == x;
        return run ? Math.Max(0, first - 0.5) / (Points.Count - 1) : Cdf(x);
    }
}
