using Kiln.Core.Errors;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Scoring;

/// <summary>
/// Reads rows to score as the model's schema says, not as the file's values suggest: numeric features as numbers,
/// categorical features as categories (matched to the training categories by name; unseen ones score as missing),
/// whatever the number of rows — one included. Every other column is kept as the text it was written as
/// (<c>02100</c> stays <c>02100</c>), so only the prediction columns change the file. The one path scoring takes.
/// </summary>
public static class ScoringInput
{
    /// <summary>Reads a CSV file for scoring with <paramref name="schema"/>.</summary>
    /// <exception cref="KilnException">A feature column is missing (the message lists what the model needs), or a
    /// numeric feature holds a value that is not a number (file, line, column and value named).</exception>
    public static Table ReadCsv(string path, ModelSchema schema, CancellationToken ct = default) => Read(path, schema, new ScoringReadOptions(), ct).Table;

    /// <summary>Reads a CSV file for scoring with <paramref name="schema"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="KilnException">A feature column is missing, or (unless <see cref="ScoringReadOptions.BadValuesAsMissing"/>)
    /// a numeric feature holds a value that is not a number: file, line, column and value named.</exception>
    public static ScoringData Read(string path, ModelSchema schema, ScoringReadOptions options, CancellationToken ct = default)
    {
        var header = Training.ReadOptions.Header(path, options.Encoding);
        var missing = schema.Features.Where(f => !header.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid(
                $"{path} has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}: the model needs the features {string.Join(", ", schema.Features.Select(f => f.Name))}. " +
                $"The file's columns: {string.Join(", ", header)}.");
        }
        var kinds = header.Distinct(StringComparer.Ordinal).ToDictionary(name => name, _ => ColumnKind.Text, StringComparer.Ordinal);
        foreach (var feature in schema.Features)
        {
            // With bad values as missing, numeric features are read as text and converted here, so one bad token does not stop the read.
            kinds[feature.Name] = feature.Kind == FeatureKind.Categorical ? ColumnKind.Categorical : options.BadValuesAsMissing ? ColumnKind.Text : ColumnKind.Numeric;
        }
        var table = Training.ReadOptions.ReadCsv(path, Training.ReadOptions.WithMissing(options.NaValues) with { ColumnTypes = kinds }, options.Encoding, ct);
        if (!options.BadValuesAsMissing)
        {
            return new ScoringData(table, 0);
        }
        var bad = 0;
        foreach (var feature in schema.Features.Where(f => f.Kind == FeatureKind.Numeric))
        {
            var text = table[feature.Name];
            var values = new double[text.Length];
            for (var row = 0; row < values.Length; row++)
            {
                if (text.IsMissing(row))
                {
                    values[row] = double.NaN;
                }
                else if (!double.TryParse(text.FormatValue(row), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[row]))
                {
                    values[row] = double.NaN;
                    bad++;
                }
            }
            table = table.WithColumn(new Float64Column(feature.Name, values));
        }
        return new ScoringData(table, bad);
    }
}
