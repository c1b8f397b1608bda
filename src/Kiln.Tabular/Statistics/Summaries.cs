namespace Kiln.Tabular.Statistics;

/// <summary>The value of a numeric column at one quantile.</summary>
/// <param name="Probability">The probability, in [0, 1].</param>
/// <param name="Value">The quantile, interpolated linearly between order statistics (numpy's default method).</param>
public sealed record QuantileValue(double Probability, double Value);

/// <summary>An equal-width histogram: bin <c>i</c> covers [<c>Edges[i]</c>, <c>Edges[i+1]</c>), the last bin includes its upper edge.</summary>
/// <param name="Edges">The bin edges, one more than there are bins; the first is the minimum and the last the maximum.</param>
/// <param name="Counts">The number of non-missing values per bin (negative infinity counts in the first, positive in the last).</param>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

/// <summary>Summary statistics of a numeric column's non-missing values.</summary>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Mean">The arithmetic mean.</param>
/// <param name="StandardDeviation">The sample standard deviation (n - 1 denominator, as pandas); 0 for a single value.</param>
/// <param name="Quantiles">The quantiles at <see cref="ProfileOptions.Quantiles"/>.</param>
/// <param name="Histogram">An equal-width histogram with <see cref="ProfileOptions.HistogramBins"/> bins.</param>
public sealed record NumericSummary(
    double Min,
    double Max,
    double Mean,
    double StandardDeviation,
    IReadOnlyList<QuantileValue> Quantiles,
    Histogram Histogram)
{
    /// <summary>A mergeable summary of the values' distribution (absent in profiles written before it existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public QuantileSketch? Sketch { get; init; }

    /// <summary>Whether every value is a whole number (counts, ids, codes), so a column may be a key; null in older profiles.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Integral { get; init; }
}

/// <summary>How often one category occurs.</summary>
/// <param name="Category">The category string.</param>
/// <param name="Count">The number of rows holding it.</param>
public sealed record CategoryCount(string Category, long Count);

/// <summary>Per-category counts of a categorical column, in category-code order (categories that never occur count 0).</summary>
/// <param name="Categories">One entry per category.</param>
public sealed record CategoricalSummary(IReadOnlyList<CategoryCount> Categories);

/// <summary>Summary of a text column.</summary>
/// <param name="DistinctCount">The number of distinct non-missing values.</param>
public sealed record TextSummary(int DistinctCount);
