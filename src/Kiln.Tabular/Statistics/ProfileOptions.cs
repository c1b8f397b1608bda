namespace Kiln.Tabular.Statistics;

/// <summary>What <see cref="TableProfile.Compute"/> measures. Immutable; derive variants with <c>with</c>.</summary>
public sealed record ProfileOptions
{
    /// <summary>The options used when none are given.</summary>
    public static ProfileOptions Default { get; } = new();

    /// <summary>Probabilities at which numeric quantiles are reported, each in [0, 1].
    /// Default 0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.</summary>
    public IReadOnlyList<double> Quantiles { get; init; } = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];

    /// <summary>The number of equal-width histogram bins between a numeric column's minimum and maximum. Range 1 to 10,000; default 20.</summary>
    public int HistogramBins { get; init; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option outside its valid range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Quantiles);
        foreach (var probability in Quantiles)
        {
            if (!(probability >= 0 && probability <= 1))
            {
                throw new ArgumentException($"Quantile probability {probability} is outside [0, 1].", nameof(Quantiles));
            }
        }
        if (HistogramBins is < 1 or > 10_000)
        {
            throw new ArgumentException($"HistogramBins is {HistogramBins}; it must be between 1 and 10,000.", nameof(HistogramBins));
        }
    }
}
