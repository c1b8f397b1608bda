using System.Globalization;
using System.Text.RegularExpressions;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data.Validation;

/// <summary>Checks one table against a schema and, when given, a reference profile; returns the anomalies and per-column comparisons.</summary>
public static class Validator
{
    private const int Examples = 3;

    /// <summary>Validates <paramref name="table"/> (profiled as <paramref name="profile"/>) from file <paramref name="file"/>.</summary>
    public static (List<Anomaly> Anomalies, List<ColumnComparison> Columns) Check(DatasetSchema schema, string file, Table table, TableProfile profile, TableProfile? reference)
    {
        var anomalies = new List<Anomaly>();
        var comparisons = new List<ColumnComparison>();
        void Add(string severity, string type, string? column, string text) => anomalies.Add(new Anomaly(severity, type, file, column, text));

        if (schema.Rows is { } rows)
        {
            if (rows.Min is { } min && table.RowCount < min)
            {
                Add("error", "row_count", null, $"{table.RowCount:N0} rows; at least {min:N0} required.");
            }
            if (rows.Max is { } max && table.RowCount > max)
            {
                Add("error", "row_count", null, $"{table.RowCount:N0} rows; at most {max:N0} allowed.");
            }
            if (rows.MaxChange is { } change && reference is { RowCount: > 0 })
            {
                var relative = (double)(table.RowCount - reference.RowCount) / reference.RowCount;
                if (Math.Abs(relative) > change)
                {
                    Add("error", "row_count_change", null, $"{reference.RowCount:N0} → {table.RowCount:N0} rows ({relative:+0.#%;-0.#%}); at most ±{change:0.#%} allowed.");
                }
            }
        }
        if (schema.NewColumns != "ignore")
        {
            foreach (var name in table.ColumnNames.Where(n => !schema.Columns.ContainsKey(n)))
            {
                Add(schema.NewColumns, "new_column", name, $"column '{name}' ({Kind(table[name].Kind)}) is not in the schema; add it to the schema, or drop it from the data.");
            }
        }
        foreach (var (name, rule) in schema.Columns)
        {
            if (!table.TryGetColumn(name, out var column))
            {
                if (rule.Required)
                {
                    Add(rule.Severity, "missing_column", name, $"required column '{name}' ({rule.Type}) is missing; the table has {string.Join(", ", table.ColumnNames.Take(12))}.");
                }
                continue;
            }
            var columnProfile = profile.GetColumn(name);
            if (!KindMatches(rule.Type, column.Kind))
            {
                Add(rule.Severity, "type_change", name, $"expected {rule.Type}, read as {Kind(column.Kind)}{NonNumericExamples(column)}.");
                continue; // the other rules assume the declared type
            }
            var missingShare = column.Length == 0 ? 0 : (double)columnProfile.MissingCount / column.Length;
            if (rule.MaxMissing is { } maxMissing && missingShare > maxMissing)
            {
                Add(rule.Severity, "missing_share", name, $"{missingShare:0.##%} missing ({columnProfile.MissingCount:N0} of {column.Length:N0} rows); at most {maxMissing:0.##%} allowed.");
            }
            if (column is NumericColumn numeric)
            {
                CheckRange(rule, numeric, (type, text) => Add(rule.Severity, type, name, text));
            }
            else
            {
                CheckStrings(rule, column, (type, text) => Add(rule.Severity, type, name, text));
            }
            if (rule.Unique)
            {
                CheckUnique(column, (type, text) => Add(rule.Severity, type, name, text));
            }
            if (reference is not null && reference.Columns.FirstOrDefault(c => c.Name == name) is { } before && Compare(before, columnProfile) is { } distribution)
            {
                var threshold = rule.Drift?.Threshold;
                var shifted = threshold is { } t && distribution.Distance > t;
                comparisons.Add(new ColumnComparison(file, name, Kind(column.Kind), threshold, distribution, shifted));
                if (shifted)
                {
                    var (label, p, q) = distribution.LargestChange();
                    var what = distribution.Method == "js" ? "Jensen-Shannon distance" : "L-infinity distance";
                    Add(rule.Severity, "distribution_shift", name,
                        $"{what} {distribution.Distance:0.###} > {threshold:0.###}; largest change at {label}: {p:0.#%} → {q:0.#%}{MeanChange(before, columnProfile)}.");
                }
            }
        }
        return (anomalies, comparisons);
    }

    /// <summary>The two sides' distributions, when both have what it takes (a sketch, or category counts).</summary>
    public static Distribution? Compare(ColumnProfile before, ColumnProfile after)
    {
        if (before.Numeric?.Sketch is { } a && after.Numeric?.Sketch is { } b)
        {
            return Distribution.Numeric(a, b);
        }
        if (before.Categorical is { } x && after.Categorical is { } y)
        {
            return Distribution.Categorical(x.Categories, y.Categories);
        }
        return null;
    }

    private static string MeanChange(ColumnProfile before, ColumnProfile after) =>
        before.Numeric is { } a && after.Numeric is { } b ? $"; mean {Distribution.Short(a.Mean)} → {Distribution.Short(b.Mean)}" : "";

    private static void CheckRange(ColumnRule rule, NumericColumn column, Action<string, string> add)
    {
        if (rule.Min is null && rule.Max is null)
        {
            return;
        }
        var (below, above) = (0L, 0L);
        var (lowest, highest) = (double.PositiveInfinity, double.NegativeInfinity);
        for (var i = 0; i < column.Length; i++)
        {
            var value = column.GetValue(i);
            if (value < rule.Min)
            {
                below++;
                lowest = Math.Min(lowest, value);
            }
            else if (value > rule.Max)
            {
                above++;
                highest = Math.Max(highest, value);
            }
        }
        if (below > 0)
        {
            add("out_of_range", $"{below:N0} value(s) ({(double)below / column.Length:0.##%}) below the minimum {Distribution.Short(rule.Min!.Value)}, the lowest {Distribution.Short(lowest)}.");
        }
        if (above > 0)
        {
            add("out_of_range", $"{above:N0} value(s) ({(double)above / column.Length:0.##%}) above the maximum {Distribution.Short(rule.Max!.Value)}, the highest {Distribution.Short(highest)}.");
        }
    }

    private static void CheckStrings(ColumnRule rule, Column column, Action<string, string> add)
    {
        var counts = StringCounts(column);
        var present = counts.Values.Sum();
        if (rule.Domain is { } domain && present > 0)
        {
            var allowed = domain.ToHashSet(StringComparer.Ordinal);
            var unseen = counts.Where(kv => !allowed.Contains(kv.Key)).OrderByDescending(kv => kv.Value).ToList();
            var share = (double)unseen.Sum(kv => kv.Value) / present;
            if (unseen.Count > 0 && share > rule.MaxUnseen)
            {
                add("unexpected_category", $"{share:0.##%} of values are outside the domain ({rule.MaxUnseen:0.##%} tolerated): {string.Join(", ", unseen.Take(Examples).Select(kv => $"'{kv.Key}' ×{kv.Value:N0}"))}{(unseen.Count > Examples ? $" and {unseen.Count - Examples} more" : "")}.");
            }
        }
        if (rule.Pattern is { } pattern)
        {
            var regex = new Regex($"\\A(?:{pattern})\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            List<KeyValuePair<string, long>> failing;
            try
            {
                failing = [.. counts.Where(kv => !regex.IsMatch(kv.Key))];
            }
            catch (RegexMatchTimeoutException)
            {
                throw Core.Errors.KilnException.Invalid($"The pattern /{pattern}/ took over a second on one value: simplify it (nested repetition backtracks).");
            }
            if (failing.Count > 0)
            {
                var rows = failing.Sum(kv => kv.Value);
                add("pattern_mismatch", $"{rows:N0} value(s) ({(double)rows / Math.Max(1, present):0.##%}) do not match /{pattern}/, e.g. {string.Join(", ", failing.Take(Examples).Select(kv => $"'{kv.Key}'"))}.");
            }
        }
    }

    private static void CheckUnique(Column column, Action<string, string> add)
    {
        var duplicates = 0L;
        var examples = new List<string>();
        if (column is NumericColumn numeric)
        {
            var seen = new HashSet<double>();
            for (var i = 0; i < numeric.Length; i++)
            {
                var value = numeric.GetValue(i);
                if (!double.IsNaN(value) && !seen.Add(value))
                {
                    duplicates++;
                    if (examples.Count < Examples)
                    {
                        examples.Add(value.ToString("G", CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        else
        {
            foreach (var (value, count) in StringCounts(column).Where(kv => kv.Value > 1))
            {
                duplicates += count - 1;
                if (examples.Count < Examples)
                {
                    examples.Add($"'{value}' ×{count:N0}");
                }
            }
        }
        if (duplicates > 0)
        {
            add("duplicate_key", $"{duplicates:N0} duplicate value(s) in a column that must be unique, e.g. {string.Join(", ", examples)}.");
        }
    }

    private static Dictionary<string, long> StringCounts(Column column)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (column is CategoricalColumn categorical)
        {
            var byCode = new long[categorical.CategoryCount];
            foreach (var code in categorical.Codes)
            {
                if (code >= 0)
                {
                    byCode[code]++;
                }
            }
            for (var c = 0; c < byCode.Length; c++)
            {
                if (byCode[c] > 0)
                {
                    counts[categorical.Categories[c]] = byCode[c];
                }
            }
        }
        else if (column is TextColumn text)
        {
            foreach (var value in text.Values)
            {
                if (value is not null)
                {
                    counts[value] = counts.GetValueOrDefault(value) + 1;
                }
            }
        }
        return counts;
    }

    private static string NonNumericExamples(Column column)
    {
        if (column is not (CategoricalColumn or TextColumn))
        {
            return "";
        }
        var examples = StringCounts(column).Keys.Where(v => !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)).Take(Examples).ToList();
        return examples.Count > 0 ? $"; values that are not numbers: {string.Join(", ", examples.Select(e => $"'{e}'"))}" : "";
    }

    private static bool KindMatches(string type, ColumnKind kind) => type switch
    {
        "numeric" => kind is ColumnKind.Numeric or ColumnKind.Float32,
        _ => kind is ColumnKind.Categorical or ColumnKind.Text,
    };

    /// <summary>A column kind as the schema names it.</summary>
    public static string Kind(ColumnKind kind) => kind switch { ColumnKind.Categorical => "categorical", ColumnKind.Text => "text", _ => "numeric" };
}
