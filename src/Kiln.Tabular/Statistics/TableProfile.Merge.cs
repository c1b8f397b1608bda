namespace Kiln.Tabular.Statistics;

public sealed partial record TableProfile
{
    /// <summary>
    /// The profile of this table's rows and <paramref name="other"/>'s together, from the summaries alone: counts, missing,
    /// category counts, mean and standard deviation exactly; min and max exactly; quantiles, histogram and distinct count
    /// from the mergeable sketches. A column only one side has counts the other side's rows as missing.
    /// </summary>
    /// <exception cref="ArgumentException">A column has different kinds on the two sides, or a numeric side has no sketch.</exception>
    public TableProfile Merge(TableProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var columns = new List<ColumnProfile>();
        var theirs = other.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var mine in Columns)
        {
            columns.Add(theirs.TryGetValue(mine.Name, out var match) ? MergeColumn(mine, match) : mine with { Count = mine.Count + other.RowCount, MissingCount = mine.MissingCount + other.RowCount });
        }
        var names = Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        columns.AddRange(other.Columns.Where(c => !names.Contains(c.Name)).Select(c => c with { Count = c.Count + RowCount, MissingCount = c.MissingCount + RowCount }));
        return new TableProfile { RowCount = RowCount + other.RowCount, Columns = columns };
    }

    private static ColumnProfile MergeColumn(ColumnProfile a, ColumnProfile b)
    {
        if (a.Kind != b.Kind)
        {
            throw new ArgumentException($"Column '{a.Name}' is {a.Kind} in one profile and {b.Kind} in the other; profiles merge only when kinds agree.");
        }
        HyperLogLog? sketch = (a.DistinctSketch, b.DistinctSketch) switch
        {
            (string x, string y) => HyperLogLog.FromBase64(x).Merge(HyperLogLog.FromBase64(y)),
            (string x, null) => HyperLogLog.FromBase64(x),
            (null, string y) => HyperLogLog.FromBase64(y),
            _ => null,
        };
        var merged = a with
        {
            Count = a.Count + b.Count,
            MissingCount = a.MissingCount + b.MissingCount,
            DistinctSketch = sketch?.ToBase64(),
            DistinctEstimate = sketch?.Estimate() ?? Math.Max(a.DistinctEstimate, b.DistinctEstimate),
        };
        if (a.Categorical is not null || b.Categorical is not null)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var entry in (a.Categorical?.Categories ?? []).Concat(b.Categorical?.Categories ?? []))
            {
                counts[entry.Category] = counts.GetValueOrDefault(entry.Category) + entry.Count;
            }
            merged = merged with
            {
                Categorical = new CategoricalSummary([.. counts.Select(kv => new CategoryCount(kv.Key, kv.Value))]),
                DistinctEstimate = counts.Count(kv => kv.Value > 0),
            };
        }
        if (a.Text is not null || b.Text is not null)
        {
            merged = merged with { Text = new TextSummary((int)Math.Min(int.MaxValue, merged.DistinctEstimate)) };
        }
        return merged with { Numeric = MergeNumeric(a, b) };
    }

    private static NumericSummary? MergeNumeric(ColumnProfile a, ColumnProfile b)
    {
        if (a.Numeric is null || b.Numeric is null)
        {
            return a.Numeric ?? b.Numeric;
        }
        var (x, y) = (a.Numeric, b.Numeric);
        if (x.Sketch is null || y.Sketch is null)
        {
            throw new ArgumentException($"Column '{a.Name}' has a profile without a quantile sketch (written by an older Kiln); profile the data again to merge it.");
        }
        var (n1, n2) = ((double)(a.Count - a.MissingCount), (double)(b.Count - b.MissingCount));
        var n = n1 + n2;
        var delta = y.Mean - x.Mean;
        var mean = x.Mean + (delta * n2 / n);
        var m2 = (x.StandardDeviation * x.StandardDeviation * Math.Max(n1 - 1, 0)) + (y.StandardDeviation * y.StandardDeviation * Math.Max(n2 - 1, 0)) + (delta * delta * n1 * n2 / n);
        var sketch = x.Sketch.Merge(y.Sketch);
        var (min, max) = (Math.Min(x.Min, y.Min), Math.Max(x.Max, y.Max));
        var quantiles = x.Quantiles.Select(q => new QuantileValue(q.Probability, q.Probability == 0 ? min : q.Probability == 1 ? max : sketch.Quantile(q.Probability))).ToArray();
        return new NumericSummary(min, max, mean, n > 1 ? Math.Sqrt(m2 / (n - 1)) : 0, quantiles, Histogram(sketch, min, max, x.Histogram.Counts.Count, (long)n))
        {
            Sketch = sketch,
            Integral = x.Integral is { } left && y.Integral is { } right ? left && right : null,
        };
    }

    /// <summary>An equal-width histogram rebuilt from a sketch, its counts rounded so they sum to <paramref name="total"/>.</summary>
    private static Histogram Histogram(QuantileSketch sketch, double min, double max, int bins, long total)
    {
        if (!(max > min) || !double.IsFinite(max - min))
        {
            return new Histogram([min, max], [total]);
        }
        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = i == bins ? max : min + (i * (max - min) / bins);
        }
        var counts = new long[bins];
        var previous = 0L;
        for (var i = 0; i < bins; i++)
        {
            var cumulative = i == bins - 1 ? total : (long)Math.Round(sketch.Cdf(edges[i + 1]) * total);
            counts[i] = Math.Max(0, cumulative - previous);
            previous = Math.Max(previous, cumulative);
        }
        return new Histogram(edges, counts);
    }
}
