using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data.Validation;

/// <summary>
/// A first schema from a version's profile, for people to edit: each column's type and presence, the missing share seen
/// (none seen: none allowed), non-negative numbers kept non-negative, the categories seen as the domain, key-like columns
/// unique, and a distribution rule per column (Jensen-Shannon 0.1 for numbers, L-infinity 0.1 for categories).
/// </summary>
public static class SchemaInference
{
    /// <summary>Infers a schema from the profile of a version's table.</summary>
    public static DatasetSchema Infer(TableProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var schema = new DatasetSchema { Rows = new RowRule { Min = 1, MaxChange = 0.5 } };
        foreach (var column in profile.Columns)
        {
            var present = column.Count - column.MissingCount;
            var missingShare = column.Count == 0 ? 0 : (double)column.MissingCount / column.Count;
            var rule = new ColumnRule
            {
                Type = column.Kind switch { ColumnKind.Categorical => "categorical", ColumnKind.Text => "text", _ => "numeric" },
                // none seen, none allowed; some seen: room for twice as many
                MaxMissing = missingShare == 0 ? 0 : Math.Min(1, Math.Ceiling(missingShare * 2 * 1000) / 1000),
                // a key: every value distinct, and whole numbers or text (continuous measurements are all distinct too, and are no key)
                Unique = present >= 20 && column.DistinctEstimate == present
                    && (column.Kind == ColumnKind.Text || column.Numeric?.Integral == true),
            };
            if (column.Numeric is { } numeric)
            {
                rule.Min = numeric.Min >= 0 ? 0 : null;
                rule.Drift = rule.Unique ? null : new DriftRule { Method = "js", Threshold = 0.1 };
            }
            else if (column.Categorical is { } categorical)
            {
                var seen = categorical.Categories.Where(c => c.Count > 0).Select(c => c.Category).Order(StringComparer.Ordinal).ToList();
                rule.Domain = seen.Count <= 200 ? seen : null;
                rule.Drift = new DriftRule { Method = "linf", Threshold = 0.1 };
            }
            schema.Columns[column.Name] = rule;
        }
        return schema;
    }
}
