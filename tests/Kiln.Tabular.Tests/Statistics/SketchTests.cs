using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Tabular.Tests.Statistics;

/// <summary>The mergeable summaries in a profile: distinct counts and quantiles of two halves merge into (close to) those of the whole.</summary>
public sealed class SketchTests
{
    [Fact]
    public void HyperLogLog_estimates_distinct_counts_within_a_few_percent_and_merges_as_a_union()
    {
        var (a, b) = (new HyperLogLog(), new HyperLogLog());
        for (var i = 0; i < 60_000; i++)
        {
            a.Add(HyperLogLog.Hash((double)i));
            b.Add(HyperLogLog.Hash((double)(i + 30_000))); // half of b overlaps a
        }
        Assert.InRange(a.Estimate(), 57_000, 63_000);
        Assert.InRange(a.Merge(b).Estimate(), 85_500, 94_500);
        Assert.Equal(a.Estimate(), HyperLogLog.FromBase64(a.ToBase64()).Estimate());
        var small = new HyperLogLog();
        foreach (var s in new[] { "a", "b", "c", "a" })
        {
            small.Add(HyperLogLog.Hash(s));
        }
        Assert.Equal(3, small.Estimate());
    }

    [Fact]
    public void Many_merged_sketches_of_a_discrete_column_keep_only_its_values_and_their_shares()
    {
        // a minute's worth of rows at a time, as monitoring merges them: 0 (half), 1.087 (30 %), 2.174 (20 %)
        var random = new Random(3);
        var merged = Sketch([]);
        for (var slice = 0; slice < 300; slice++)
        {
            var values = Enumerable.Range(0, 40 + random.Next(200)).Select(_ => random.NextDouble() switch { < 0.5 => 0, < 0.8 => 1.087, _ => 2.174 }).Order().ToArray();
            merged = merged.Merge(Sketch(values));
        }
        Assert.Equal([0, 1.087, 2.174], merged.Points.Distinct().Order());
        Assert.InRange(merged.Cdf(0), 0.47, 0.53);
        Assert.InRange(merged.Cdf(1.087), 0.77, 0.83);
    }

    [Fact]
    public void A_day_of_merged_sketches_of_a_few_continuous_values_each_stays_within_five_percent_of_rank()
    {
        // a quiet deployment: a few rows a minute, a day of minutes merged one after another
        var random = new Random(5);
        var merged = Sketch([]);
        var all = new List<double>();
        for (var slice = 0; slice < 1_440; slice++)
        {
            var values = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.NextDouble()).Order().ToArray();
            all.AddRange(values);
            merged = merged.Merge(Sketch(values));
        }
        all.Sort();
        foreach (var p in new[] { 0.1, 0.25, 0.5, 0.75, 0.9 })
        {
            var rank = all.BinarySearch(merged.Quantile(p));
            rank = rank < 0 ? ~rank : rank;
            Assert.InRange((double)rank / all.Count, p - 0.05, p + 0.05); // 1,440 merges of 1–6 rows: within 5 % of rank (one merge: 1 %)
        }
    }

    [Fact]
    public void Quantile_sketches_merge_within_a_rank_error_of_one_percent()
    {
        var random = new Random(7);
        var first = Enumerable.Range(0, 50_000).Select(_ => random.NextDouble() * 100).ToArray();
        var second = Enumerable.Range(0, 30_000).Select(_ => 100 + (random.NextDouble() * 50)).ToArray();
        var merged = Sketch(first).Merge(Sketch(second));
        var all = first.Concat(second).Order().ToArray();
        Assert.Equal(80_000, merged.Count);
        foreach (var p in new[] { 0.01, 0.1, 0.25, 0.5, 0.625, 0.75, 0.9, 0.99 })
        {
            var rank = Array.BinarySearch(all, merged.Quantile(p));
            rank = rank < 0 ? ~rank : rank;
            Assert.InRange((double)rank / all.Length, p - 0.01, p + 0.01);
        }
        Assert.Equal(all[0], merged.Quantile(0));
        Assert.Equal(all[^1], merged.Quantile(1));
        Assert.InRange(merged.Cdf(100), 0.615, 0.635);
    }

    [Fact]
    public void Table_profiles_of_two_halves_merge_into_the_profile_of_the_whole()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 20_000).Select(i => i % 50 == 0 ? double.NaN : Math.Round(random.NextDouble() * 1000, 1)).ToArray();
        var regions = Enumerable.Range(0, 20_000).Select(i => i % 7 == 0 ? null : (i % 3 == 0 ? "north" : "south")).ToArray();
        Table Make(int start, int count) => new([new Float64Column("income", values[start..(start + count)]), CategoricalColumn.FromValues("region", regions[start..(start + count)])]);
        var whole = TableProfile.Compute(Make(0, 20_000));
        var merged = TableProfile.Compute(Make(0, 12_000)).Merge(TableProfile.Compute(Make(12_000, 8_000)));

        Assert.Equal(whole.RowCount, merged.RowCount);
        var (w, m) = (whole.GetColumn("income"), merged.GetColumn("income"));
        Assert.Equal((w.Count, w.MissingCount), (m.Count, m.MissingCount));
        Assert.Equal(w.Numeric!.Mean, m.Numeric!.Mean, 9);
        Assert.Equal(w.Numeric.StandardDeviation, m.Numeric.StandardDeviation, 9);
        Assert.Equal((w.Numeric.Min, w.Numeric.Max), (m.Numeric.Min, m.Numeric.Max));
        Assert.InRange(m.Numeric.Quantiles.Single(q => q.Probability == 0.5).Value, w.Numeric.Quantiles.Single(q => q.Probability == 0.5).Value - 10, w.Numeric.Quantiles.Single(q => q.Probability == 0.5).Value + 10);
        Assert.InRange(m.DistinctEstimate, w.DistinctEstimate * 0.95, w.DistinctEstimate * 1.05);
        Assert.Equal(w.Numeric.Histogram.Counts.Sum(), m.Numeric.Histogram.Counts.Sum());
        var (wr, mr) = (whole.GetColumn("region"), merged.GetColumn("region"));
        Assert.Equal(wr.MissingCount, mr.MissingCount);
        Assert.Equal(wr.Categorical!.Categories.ToDictionary(c => c.Category, c => c.Count), mr.Categorical!.Categories.ToDictionary(c => c.Category, c => c.Count));
        Assert.Equal(2, mr.DistinctEstimate);

        // a merged profile survives its JSON
        Assert.Equal(m.Numeric.Sketch!.Points, TableProfile.FromJson(merged.ToJson()).GetColumn("income").Numeric!.Sketch!.Points);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Quantiles_without_a_full_sort_equal_those_of_a_sorted_copy(int seed)
    {
        var random = new Random(seed);
        // wide magnitudes, negatives, ties, a narrow cluster in one bucket and infinities at both ends
        var values = Enumerable.Range(0, 50_000).Select(i => (i % 11) switch
        {
            0 => Math.Round(random.NextDouble() * 10),
            1 => -Math.Exp(random.NextDouble() * 20),
            2 => 1.0 + (random.NextDouble() * 1e-9),
            3 when i % 1000 == 3 => double.PositiveInfinity,
            4 when i % 1000 == 4 => double.NegativeInfinity,
            _ => random.NextDouble() * 1e6,
        }).ToArray();
        var profile = ColumnProfile.Compute(new Float64Column("x", values));
        var sorted = values.Order().ToArray();
        foreach (var q in profile.Numeric!.Quantiles)
        {
            Assert.Equal(NumericProfiler.Quantile(sorted, q.Probability), q.Value);
        }
        Assert.Equal(Enumerable.Range(0, 201).Select(i => NumericProfiler.Quantile(sorted, i / 200.0)), profile.Numeric.Sketch!.Points);
        Assert.Equal(values.Length, profile.Numeric.Histogram.Counts.Sum());
        Assert.InRange(profile.DistinctEstimate, sorted.Distinct().Count() * 0.95, sorted.Distinct().Count() * 1.05);
        Assert.Equal(12, ColumnProfile.Compute(new Float64Column("small", [.. Enumerable.Range(0, 1000).Select(i => (double)(i % 12))])).DistinctEstimate);
        // whole numbers that may all differ (a key) are counted exactly, so a key is told from a near-key
        Assert.Equal(50_000, ColumnProfile.Compute(new Float64Column("id", [.. Enumerable.Range(0, 50_000).Select(i => (double)i)])).DistinctEstimate);
        Assert.Equal(49_999, ColumnProfile.Compute(new Float64Column("id", [.. Enumerable.Range(0, 50_000).Select(i => (double)Math.Max(i, 1))])).DistinctEstimate);
    }

    [Fact]
    public void Profiles_whose_kinds_disagree_do_not_merge()
    {
        var numeric = TableProfile.Compute(new Table([new Float64Column("x", [1, 2])]));
        var categorical = TableProfile.Compute(new Table([CategoricalColumn.FromValues("x", ["a", "b"])]));
        Assert.Contains("Numeric in one profile and Categorical", Assert.Throws<ArgumentException>(() => numeric.Merge(categorical)).Message);
    }

    private static QuantileSketch Sketch(double[] values)
    {
        var sorted = values.Order().ToArray();
        return QuantileSketch.FromSorted(sorted);
    }
}
