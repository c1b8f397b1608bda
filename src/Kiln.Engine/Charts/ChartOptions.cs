namespace Kiln.Engine.Charts;

/// <summary>Size and axis settings shared by every chart.</summary>
public sealed record ChartOptions
{
    /// <summary>Image width in pixels, 200 to 4000; 640 by default.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Image height in pixels, 150 to 4000; 400 by default.</summary>
    public int Height { get; init; } = 400;

    /// <summary>Plot the y axis on a log10 scale; non-positive y values are skipped like NaN.</summary>
    public bool LogScaleY { get; init; }

    /// <summary>Fixed x-axis range instead of one fitted to the data (widened to nice ticks).</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Fixed y-axis range instead of one fitted to the data (widened to nice ticks).</summary>
    public (double Min, double Max)? YRange { get; init; }

    internal ChartOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Width, 200, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Width, 4000, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfLessThan(Height, 150, nameof(Height));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Height, 4000, nameof(Height));
        return this;
    }
}
