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
    public static IReadOnlyList<FeatureQuality> Compare(TableProfile reference, Table current, ModelSchema schema)
    {
        var result = new List<FeatureQuality>();
        foreach (var feature in schema.Features)
        {
            if (!current.TryGetColumn(feature.Name, out var column))
            {
                continue;
            }
            var profile = reference.Columns.FirstOrDefault(c => c.Name == feature.Name);
            var referenceMissing = profile is { Count: > 0 } ? (double)profile.MissingCount / profile.Count : 0;
            var rows = column.Length;
            var missing = 0;
            var outside = 0;
            var unseen = new Dictionary<string, int>(StringComparer.Ordinal);
            var unseenCount = 0;
            if (column is NumericColumn numeric)
            {
                var (min, max) = profile?.Numeric is { } n ? (n.Min, n.Max) : (double.NegativeInfinity, double.PositiveInfinity);
                for (var r = 0; r < rows; r++)
                {
                    var v = numeric.GetValue(r);
                    if (!double.IsFinite(v))
                    {
                        missing++;
                    }
                    else if (v < min || v > max)
                    {
                        outside++;
                    }
                }
            }
            else
            {
                var known = new HashSet<string>(feature.Categories, StringComparer.Ordinal);
                for (var r = 0; r < rows; r++)
                {
                    if (column.IsMissing(r))
                    {
                        missing++;
                        continue;
                    }
                    var value = column.FormatValue(r) ?? "";
                    if (known.Count > 0 && !known.Contains(value))
                    {
                        unseenCount++;
                        unseen[value] = unseen.GetValueOrDefault(value) + 1;
                    }
                }
            }
            var present = Math.Max(1, rows - missing);
            result.Add(new FeatureQuality(feature.Name, feature.Kind == FeatureKind.Numeric ? "numeric" : "categorical",
                rows == 0 ? 0 : (double)missing / rows, referenceMissing, (double)outside / present, (double)unseenCount / present,
                [.. unseen.OrderByDescending(u => u.Value).ThenBy(u => u.Key, StringComparer.Ordinal).Take(5).Select(u => u.Key)]));
        }
        return result;
    }
}
