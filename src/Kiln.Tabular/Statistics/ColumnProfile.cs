using System.Text.Json.Serialization;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Statistics;

/// <summary>The statistics of one column: counts for every kind, plus a kind-specific summary.</summary>
public sealed record ColumnProfile
{
    /// <summary>The column name.</summary>
    public required string Name { get; init; }

    /// <summary>The column kind.</summary>
    public required ColumnKind Kind { get; init; }

    /// <summary>The number of rows, missing values included.</summary>
    public required long Count { get; init; }

    /// <summary>The number of missing values.</summary>
    public required long MissingCount { get; init; }

    /// <summary>The number of distinct non-missing values: exact for one table, estimated from <see cref="DistinctSketch"/> once profiles are merged.</summary>
    public long DistinctEstimate { get; init; }

    /// <summary>The distinct values' HyperLogLog registers (base64), so profiles merge; see <see cref="HyperLogLog"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DistinctSketch { get; init; }

    /// <summary>For numeric columns with at least one non-missing value: their summary statistics.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NumericSummary? Numeric { get; init; }

    /// <summary>For categorical columns: the per-category counts.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CategoricalSummary? Categorical { get; init; }

    /// <summary>For text columns: the distinct count.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TextSummary? Text { get; init; }

    /// <summary>Profiles <paramref name="column"/>.</summary>
    public static ColumnProfile Compute(Column column, ProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        options ??= ProfileOptions.Default;
        options.Validate();
        return column switch
        {
            NumericColumn numeric => NumericProfiler.Profile(numeric, options),
            CategoricalColumn categorical => CategoricalProfile(categorical),
            TextColumn text => TextProfile(text),
            _ => new ColumnProfile { Name = column.Name, Kind = column.Kind, Count = column.Length, MissingCount = column.CountMissing() },
        };
    }

    private static ColumnProfile CategoricalProfile(CategoricalColumn column)
    {
        var counts = new long[column.CategoryCount];
        long missing = 0;
        foreach (var code in column.Codes)
        {
            if (code < 0)
            {
                missing++;
            }
            else
            {
                counts[code]++;
            }
        }
        var categories = new CategoryCount[counts.Length];
        var sketch = new HyperLogLog();
        var distinct = 0;
        for (var i = 0; i < categories.Length; i++)
        {
            categories[i] = new CategoryCount(column.Categories[i], counts[i]);
            if (counts[i] > 0)
            {
                distinct++;
                sketch.Add(HyperLogLog.Hash(column.Categories[i]));
            }
        }
        return new ColumnProfile
        {
            Name = column.Name,
            Kind = column.Kind,
            Count = column.Length,
            MissingCount = missing,
            DistinctEstimate = distinct,
            DistinctSketch = sketch.ToBase64(),
            Categorical = new CategoricalSummary(categories),
        };
    }

    private static ColumnProfile TextProfile(TextColumn column)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var sketch = new HyperLogLog();
        long missing = 0;
        foreach (var value in column.Values)
        {
            if (value is null)
            {
                missing++;
            }
            else if (distinct.Add(value))
            {
                sketch.Add(HyperLogLog.Hash(value));
            }
        }
        return new ColumnProfile
        {
            Name = column.Name,
            Kind = column.Kind,
            Count = column.Length,
            MissingCount = missing,
            DistinctEstimate = distinct.Count,
            DistinctSketch = sketch.ToBase64(),
            Text = new TextSummary(distinct.Count),
        };
    }
}
