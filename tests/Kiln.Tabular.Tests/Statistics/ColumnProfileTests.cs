using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Tabular.Tests.Statistics;

public class ColumnProfileTests
{
    private static readonly ProfileOptions Options = new() { Quantiles = [0, 0.25, 0.5, 0.75, 1], HistogramBins = 3 };

    [Fact]
    public void Numeric_statistics_match_hand_computed_values()
    {
        var profile = ColumnProfile.Compute(new Float64Column("x", [4, double.NaN, 1, 3, 2]), Options);

        Assert.Equal(5, profile.Count);
        Assert.Equal(1, profile.MissingCount);
        var numeric = Assert.IsType<NumericSummary>(profile.Numeric);
        Assert.Equal(1, numeric.Min);
        Assert.Equal(4, numeric.Max);
        Assert.Equal(2.5, numeric.Mean);
        Assert.Equal(Math.Sqrt(5.0 / 3), numeric.StandardDeviation, 12);
        Assert.Equal([1, 1.75, 2.5, 3.25, 4], numeric.Quantiles.Select(q => q.Value));
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], numeric.Quantiles.Select(q => q.Probability));
        Assert.Equal([1, 2, 3, 4], numeric.Histogram.Edges);
        Assert.Equal([1L, 1, 2], numeric.Histogram.Counts);
        Assert.Null(profile.Categorical);
    }

    [Fact]
    public void Float32_columns_are_profiled_as_numbers()
    {
        var profile = ColumnProfile.Compute(new Float32Column("f", [0.5f, 1.5f]), Options);

        Assert.Equal(ColumnKind.Float32, profile.Kind);
        Assert.Equal(1.0, profile.Numeric!.Mean);
    }

    [Fact]
    public void A_constant_column_has_one_bin_and_zero_deviation()
    {
        var numeric = ColumnProfile.Compute(new Float64Column("x", [7, 7, 7]), Options).Numeric!;

        Assert.Equal(0, numeric.StandardDeviation);
        Assert.Equal([7, 7], numeric.Histogram.Edges);
        Assert.Equal([3L], numeric.Histogram.Counts);
    }

    [Fact]
    public void Infinities_land_in_the_outer_bins()
    {
        var numeric = ColumnProfile.Compute(new Float64Column("x", [double.NegativeInfinity, 0, 3, double.PositiveInfinity]), Options).Numeric!;

        Assert.Equal([0, 1, 2, 3], numeric.Histogram.Edges);
        Assert.Equal([2L, 0, 2], numeric.Histogram.Counts);
        Assert.Equal(double.NegativeInfinity, numeric.Min);
    }

    [Fact]
    public void An_all_missing_numeric_column_has_no_summary()
    {
        var profile = ColumnProfile.Compute(new Float64Column("x", [double.NaN, double.NaN]));

        Assert.Equal(2, profile.MissingCount);
        Assert.Null(profile.Numeric);
    }

    [Fact]
    public void Categorical_counts_include_categories_that_do_not_occur()
    {
        var column = CategoricalColumn.FromValues("c", ["b", "a", null, "b", "c"]).Take([0, 1, 2, 3]);

        var profile = ColumnProfile.Compute(column);

        Assert.Equal(1, profile.MissingCount);
        Assert.Equal([new CategoryCount("a", 1), new CategoryCount("b", 2), new CategoryCount("c", 0)], profile.Categorical!.Categories);
    }

    [Fact]
    public void Text_profiles_count_distinct_values()
    {
        var profile = ColumnProfile.Compute(new TextColumn("t", ["x", null, "y", "x"]));

        Assert.Equal(1, profile.MissingCount);
        Assert.Equal(2, profile.Text!.DistinctCount);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => ColumnProfile.Compute(new Float64Column("x", [1]), new ProfileOptions { HistogramBins = 0 }));
        Assert.Throws<ArgumentException>(() => ColumnProfile.Compute(new Float64Column("x", [1]), new ProfileOptions { Quantiles = [1.5] }));
    }
}
