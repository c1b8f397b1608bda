using System.Globalization;

namespace Kiln.Learn.Calibration;

/// <summary>
/// Maps a binary model's probability to a calibrated one, fitted on held-out rows: Platt scaling (a logistic curve on the
/// log-odds) or isotonic regression (a non-decreasing step fit, interpolated). Kept in the model file as the
/// <c>calibration</c> property and applied by every prediction.
/// </summary>
public abstract class Calibrator
{
    /// <summary>The model file property that keeps the calibrator.</summary>
    public const string Property = "calibration";

    /// <summary>"platt" or "isotonic".</summary>
    public abstract string Method { get; }

    /// <summary>The calibrated probability of <paramref name="probability"/>.</summary>
    public abstract double Apply(double probability);

    /// <summary>The calibrator as the model file keeps it.</summary>
    public abstract string Serialize();

    /// <summary>Fits <paramref name="method"/> ("platt" or "isotonic") to probabilities and 0/1 labels.</summary>
    /// <exception cref="LearnException">An unknown method, too few rows, or rows of one class only.</exception>
    public static Calibrator Fit(string method, ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException("probabilities and labels differ in length.", nameof(labels));
        }
        var positives = 0;
        foreach (var y in labels)
        {
            positives += y;
        }
        if (probabilities.Length < 20 || positives == 0 || positives == labels.Length)
        {
            throw new LearnException($"Calibration needs at least 20 held-out rows of both classes; it got {probabilities.Length} rows, {positives} positive.");
        }
        return method.ToLowerInvariant() switch
        {
            "platt" or "sigmoid" => PlattCalibrator.Fit(probabilities, labels),
            "isotonic" => IsotonicCalibrator.Fit(probabilities, labels),
            _ => throw new LearnException($"Unknown calibration method '{method}': use platt or isotonic."),
        };
    }

    /// <summary>Reads a calibrator written by <see cref="Serialize"/>; null for text that is not one.</summary>
    public static Calibrator? Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            return null;
        }
        var numbers = text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN).ToArray();
        if (numbers.Any(double.IsNaN))
        {
            return null;
        }
        return text[..colon] switch
        {
            "platt" when numbers.Length == 2 => new PlattCalibrator(numbers[0], numbers[1]),
            "isotonic" when numbers.Length >= 2 && numbers.Length % 2 == 0 => new IsotonicCalibrator(numbers[..(numbers.Length / 2)], numbers[(numbers.Length / 2)..]),
            _ => null,
        };
    }

    private protected static string Format(IEnumerable<double> values) => string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>Platt scaling: p' = σ(a · logit(p) + b), a and b fitted by Newton's method on the log loss with Platt's
/// smoothed targets ((positives + 1)/(positives + 2) and 1/(negatives + 2)), as scikit-learn's sigmoid calibration.</summary>
public sealed class PlattCalibrator(double a, double b) : Calibrator
{
    /// <summary>The slope on the model's log-odds.</summary>
    public double A { get; } = a;

    /// <summary>The intercept.</summary>
    public double B { get; } = b;

    /// <inheritdoc />
    public override string Method => "platt";

    /// <inheritdoc />
    public override double Apply(double probability)
    {
        var p = Math.Clamp(probability, 1e-15, 1 - 1e-15);
        return 1 / (1 + Math.Exp(-((A * Math.Log(p / (1 - p))) + B)));
    }

    /// <inheritdoc />
    public override string Serialize() => "platt:" + Format([A, B]);

    internal static PlattCalibrator Fit(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        var n = probabilities.Length;
        var positives = 0;
        foreach (var y in labels)
        {
            positives += y;
        }
        var hi = (positives + 1.0) / (positives + 2.0);
        var lo = 1.0 / (n - positives + 2.0);
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            x[i] = Math.Log(p / (1 - p));
        }
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            // gradient and Hessian of the log loss in (a, b)
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < n; i++)
            {
                var t = labels[i] == 1 ? hi : lo;
                var q = 1 / (1 + Math.Exp(-((a * x[i]) + b)));
                var r = q - t;
                var w = Math.Max(q * (1 - q), 1e-12);
                ga += r * x[i];
                gb += r;
                haa += w * x[i] * x[i];
                hab += w * x[i];
                hbb += w;
            }
            haa += 1e-9;
            hbb += 1e-9;
            var det = (haa * hbb) - (hab * hab);
            if (det <= 0)
            {
                break;
            }
            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }
        return new PlattCalibrator(a, b);
    }
}

/// <summary>Isotonic calibration: the non-decreasing fit of the labels on the probabilities (pool adjacent violators),
/// kept as the pooled blocks' mean probabilities and rates and interpolated linearly between them (clamped at the ends),
/// as scikit-learn's <c>IsotonicRegression(out_of_bounds="clip")</c>.</summary>
public sealed class IsotonicCalibrator : Calibrator
{
    private readonly double[] _x;
    private readonly double[] _y;

    internal IsotonicCalibrator(double[] x, double[] y)
    {
        _x = x;
        _y = y;
    }

    /// <summary>The blocks' mean probabilities, ascending.</summary>
    public IReadOnlyList<double> Points => _x;

    /// <summary>The blocks' calibrated probabilities, non-decreasing.</summary>
    public IReadOnlyList<double> Values => _y;

    /// <inheritdoc />
    public override string Method => "isotonic";

    /// <inheritdoc />
    public override double Apply(double probability)
    {
        if (double.IsNaN(probability))
        {
            return probability;
        }
        if (probability <= _x[0])
        {
            return _y[0];
        }
        if (probability >= _x[^1])
        {
            return _y[^1];
        }
        var i = Array.BinarySearch(_x, probability);
        if (i >= 0)
        {
            return _y[i];
        }
        var hi = ~i;
        var lo = hi - 1;
        var f = (probability - _x[lo]) / (_x[hi] - _x[lo]);
        return _y[lo] + (f * (_y[hi] - _y[lo]));
    }

    /// <inheritdoc />
    public override string Serialize() => "isotonic:" + Format(_x) + "," + Format(_y);

    internal static IsotonicCalibrator Fit(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        var p = probabilities.ToArray();
        var y = labels.ToArray();
        Array.Sort(p, y);
        // blocks of (sum of p, sum of y, rows): rows of equal probability start as one block, so block means ascend strictly
        var sumP = new List<double>();
        var sumY = new List<double>();
        var count = new List<double>();
        for (var i = 0; i < p.Length; i++)
        {
            if (i > 0 && p[i] == p[i - 1] && count.Count > 0)
            {
                sumP[^1] += p[i];
                sumY[^1] += y[i];
                count[^1]++;
            }
            else
            {
                sumP.Add(p[i]);
                sumY.Add(y[i]);
                count.Add(1);
            }
            // pool adjacent violators: merge while the last two blocks are out of order
            while (sumY.Count > 1 && (i + 1 == p.Length || p[i + 1] != p[i]) && sumY[^2] / count[^2] >= sumY[^1] / count[^1])
            {
                sumP[^2] += sumP[^1];
                sumY[^2] += sumY[^1];
                count[^2] += count[^1];
                sumP.RemoveAt(sumP.Count - 1);
                sumY.RemoveAt(sumY.Count - 1);
                count.RemoveAt(count.Count - 1);
            }
        }
        var xs = new double[sumP.Count];
        var ys = new double[sumP.Count];
        for (var k = 0; k < xs.Length; k++)
        {
            xs[k] = sumP[k] / count[k];
            ys[k] = sumY[k] / count[k];
        }
        return new IsotonicCalibrator(xs, ys);
    }
}
