namespace Kiln.Engine.Charts;

/// <summary>An axis range widened to "nice" tick values (1-2-5 steps, or powers of ten on a log axis).</summary>
/// <param name="Min">Lowest tick, the start of the axis.</param>
/// <param name="Max">Highest tick, the end of the axis.</param>
/// <param name="Values">Tick values from <paramref name="Min"/> to <paramref name="Max"/>.</param>
/// <param name="Log">Whether positions are on a log10 scale.</param>
public sealed record AxisTicks(double Min, double Max, IReadOnlyList<double> Values, bool Log)
{
    /// <summary>Ticks at 1, 2 or 5 times a power of ten covering [min, max] with at most about <paramref name="maxTicks"/> ticks.</summary>
    public static AxisTicks Linear(double min, double max, int maxTicks = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (0, 1);
        }
        if (min > max)
        {
            (min, max) = (max, min);
        }
        if (max - min <= 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }
        var step = NiceStep((max - min) / Math.Max(1, maxTicks - 1));
        var lo = Math.Floor(min / step + 1e-9) * step;
        var count = (int)Math.Round((Math.Ceiling(max / step - 1e-9) * step - lo) / step);
        var decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15);
        var values = Enumerable.Range(0, count + 1).Select(i => Math.Round(lo + i * step, decimals) + 0.0).ToArray();
        return new AxisTicks(values[0], values[^1], values, Log: false);
    }

    /// <summary>Ticks at powers of ten covering the positive range [min, max]; falls back to 1..10 when nothing is positive.</summary>
    public static AxisTicks Logarithmic(double min, double max)
    {
        if (!(min > 0) || !double.IsFinite(min) || !(max >= min) || !double.IsFinite(max))
        {
            (min, max) = (1, 10);
        }
        var lo = (int)Math.Floor(Math.Log10(min) + 1e-9);
        var hi = Math.Max(lo + 1, (int)Math.Ceiling(Math.Log10(max) - 1e-9));
        var every = Math.Max(1, (int)Math.Ceiling((hi - lo) / 8.0));
        hi = lo + (int)Math.Ceiling((hi - lo) / (double)every) * every;
        var values = Enumerable.Range(0, (hi - lo) / every + 1).Select(i => Math.Pow(10, lo + i * every)).ToArray();
        return new AxisTicks(values[0], values[^1], values, Log: true);
    }

    /// <summary>Position of <paramref name="value"/> along the axis: 0 at <see cref="Min"/>, 1 at <see cref="Max"/>.</summary>
    public double Fraction(double value) => Log
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / magnitude;
        return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * magnitude;
    }
}
