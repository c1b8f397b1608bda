using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Monitoring.Quality;

/// <summary>One feature's data quality in a window of live inputs, beside the reference's.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Kind">"numeric" or "categorical".</param>
/// <param name="MissingShare">Share of the window's rows without a value.</param>
/// <param name="ReferenceMissingShare">The same share in the reference (the training data).</param>
/// <param name="OutOfRangeShare">Share of present numeric values outside the reference's [min, max] (0 for categorical).</param>
/// <param name="UnseenShare">Share of present categorical values the model never saw in training (0 for numeric).</param>
/// <param name="Unseen">Up to five unseen categories, most frequent first.</param>
public sealed record FeatureQuality(string Feature, string Kind, double MissingShare, double ReferenceMissingShare, double OutOfRangeShare, double UnseenShare,
    IReadOnlyList<string> Unseen)
{
    /// <summary>Whether the feature has a quality issue: missing values grew by more than 5 points over the reference, more
    /// than 5 % of numbers are outside the training range (a few percent fall outside the extremes of a few hundred
    /// training rows by chance alone), or more than 1 % of categories are unseen.</summary>
    public bool HasIssue => MissingShare > ReferenceMissingShare + 0.05 || OutOfRangeShare > 0.05 || UnseenShare > 0.01;
}

/// <summary>
/// Data quality of live inputs against the reference: missing share, numeric values outside the training range, categories
/// the model never saw. (A missing column or a value of the wrong type never reaches the log: the scoring path answers it
/// with a 400 naming the field.)
/// </summary>
public static class LiveQuality
{
    /// <summary>Each feature of <paramref name="schema"/> in <paramref name="current"/> against <paramref name="reference"/>.</summary>
    public static IReadOnlyList<FeatureQuality> Compare(TableProfile reference, Table current, ModelSchema schema) =>
        FromProfile(reference, TableProfile.Compute(current), OutOfRange(reference, current), schema);

    /// <summary>Per numeric column of <paramref name="current"/>, the values outside <paramref name="reference"/>'s [min, max].</summary>
    public static Dictionary<string, long> OutOfRange(TableProfile reference, Table current)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var column in current.Columns.OfType<NumericColumn>())
        {
            if (reference.Columns.FirstOrDefault(c => c.Name == column.Name)?.Numeric is not { } range)
            {
                continue;
            }
            long outside = 0;
            for (var r = 0; r < column.Length; r++)
            {
                var v = column.GetValue(r);
                if (double.IsFinite(v) && (v < range.Min || v > range.Max))
                {
                    outside++;
                }
            }
            counts[column.Name] = outside;
        }
        return counts;
    }

    /// <summary>Each feature from the window's profile (missing counts, category counts) and out-of-range counts, against
    /// <paramref name="reference"/>; unseen categories are those not among the model's own (complete) category list.</summary>
    public static IReadOnlyList<FeatureQuality> FromProfile(TableProfile reference, TableProfile? current, IReadOnlyDictionary<string, long> outOfRange, ModelSchema schema)
    {
        var result = new List<FeatureQuality>();
        foreach (var feature in schema.Features)
        {
            var column = current?.Columns.FirstOrDefault(c => c.Name == feature.Name);
            var profile = reference.Columns.FirstOrDefault(c => c.Name == feature.Name);
            var referenceMissing = profile is { Count: > 0 } ? (double)profile.MissingCount / profile.Count : 0;
            var rows = column?.Count ?? 0;
            var missing = column?.MissingCount ?? 0;
            var present = Math.Max(1, rows - missing);
            var unseen = new List<(string Category, long Count)>();
            if (feature.Kind == FeatureKind.Categorical && feature.Categories.Count > 0 && column?.Categorical is { } categories)
            {
                var known = new HashSet<string>(feature.Categories, StringComparer.Ordinal);
                unseen.AddRange(categories.Categories.Where(c => !known.Contains(c.Category)).Select(c => (c.Category, c.Count)));
            }
            result.Add(new FeatureQuality(feature.Name, feature.Kind == FeatureKind.Numeric ? "numeric" : "categorical",
                rows == 0 ? 0 : (double)missing / rows, referenceMissing, (double)outOfRange.GetValueOrDefault(feature.Name) / present,
                (double)unseen.Sum(u => u.Count) / present,
                [.. unseen.OrderByDescending(u => u.Count).ThenBy(u => u.Category, StringComparer.Ordinal).Take(5).Select(u => u.Category)]));
        }
        return result;
    }
}
