namespace Kiln.Learn.Metrics;

/// <summary>Metrics of numeric predictions.</summary>
public static class RegressionMetrics
{
    /// <summary>Root mean squared error.</summary>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = actual[i] - predicted[i];
            sum += d * d;
        }
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute error.</summary>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - predicted[i]);
        }
        return sum / actual.Length;
    }

    /// <summary>Coefficient of determination: 1 - SS_res / SS_tot.</summary>
    /// <remarks>With constant actual values, R² is 1 for a perfect prediction and 0 otherwise (scikit-learn's convention).</remarks>
    public static double R2(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var mean = 0.0;
        foreach (var a in actual)
        {
            mean += a;
        }
        mean /= actual.Length;
        double residual = 0, total = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            residual += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
            total += (actual[i] - mean) * (actual[i] - mean);
        }
        return total == 0 ? (residual == 0 ? 1 : 0) : 1 - (residual / total);
    }

    /// <summary>Mean absolute percentage error, as a fraction (0.1 = 10%); rows with actual 0 use a tiny denominator (as scikit-learn).</summary>
    public static double Mape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        MetricChecks.SameLength(actual.Length, predicted.Length);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - predicted[i]) / Math.Max(Math.Abs(actual[i]), double.Epsilon);
        }
        return sum / actual.Length;
    }
}
