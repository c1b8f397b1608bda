using System.Text.RegularExpressions;
using Kiln.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kiln.Engine.Data.Validation;

/// <summary>
/// A dataset's validation schema, kept as YAML: what every version's tables must look like (column types, presence,
/// missing share, ranges, domains, uniqueness, formats, row counts) and how far each column's distribution may move
/// from a reference version.
/// </summary>
public sealed class DatasetSchema
{
    /// <summary>Bounds on the row count, and on its change from the reference version.</summary>
    public RowRule? Rows { get; set; }

    /// <summary>Severity of a column the schema does not list: warning (default), error or ignore.</summary>
    public string NewColumns { get; set; } = "warning";

    /// <summary>The columns, by name.</summary>
    public Dictionary<string, ColumnRule> Columns { get; set; } = new(StringComparer.Ordinal);

    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    private static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections).Build();

    /// <summary>Reads and checks a schema; a clear error names the line and what is wrong.</summary>
    public static DatasetSchema Parse(string yaml, string source)
    {
        DatasetSchema? schema;
        try
        {
            schema = Reader.Deserialize<DatasetSchema>(yaml);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException?.Message ?? e.Message;
            throw KilnException.Invalid($"Invalid schema {source} at line {e.Start.Line}, column {e.Start.Column}: {inner}");
        }
        if (schema is null)
        {
            throw KilnException.Invalid($"The schema {source} is empty: write one with kiln data schema infer.");
        }
        schema.Check(source);
        return schema;
    }

    /// <summary>The schema as YAML.</summary>
    public string ToYaml() => "# Kiln dataset schema: edit, then save with kiln data schema save NAME FILE\n" + Writer.Serialize(this);

    private void Check(string source)
    {
        if (NewColumns is not ("warning" or "error" or "ignore"))
        {
            throw KilnException.Invalid($"Invalid schema {source}: new_columns is '{NewColumns}'; use warning, error or ignore.");
        }
        if (Rows is { } rows && ((rows.Min < 0) || (rows.Max is { } max && max < (rows.Min ?? 0)) || rows.MaxChange < 0))
        {
            throw KilnException.Invalid($"Invalid schema {source}: rows needs 0 <= min <= max and max_change >= 0.");
        }
        foreach (var (name, column) in Columns)
        {
            string Where() => $"Invalid schema {source}, column '{name}'";
            if (column is null)
            {
                throw KilnException.Invalid($"{Where()}: it has no rules; give at least its type, e.g. type: numeric.");
            }
            if (column.Type is not ("numeric" or "categorical" or "text"))
            {
                throw KilnException.Invalid($"{Where()}: type is '{column.Type}'; use numeric, categorical or text.");
            }
            if (column.MaxMissing is < 0 or > 1 || column.MaxUnseen is < 0 or > 1)
            {
                throw KilnException.Invalid($"{Where()}: max_missing and max_unseen are shares between 0 and 1.");
            }
            if (column.Min is { } lo && column.Max is { } hi && lo > hi)
            {
                throw KilnException.Invalid($"{Where()}: min {lo} is above max {hi}.");
            }
            if ((column.Min is not null || column.Max is not null) && column.Type != "numeric")
            {
                throw KilnException.Invalid($"{Where()}: min and max apply to numeric columns only.");
            }
            if (column.Domain is not null && column.Type == "numeric")
            {
                throw KilnException.Invalid($"{Where()}: a domain applies to categorical or text columns, not numeric ones.");
            }
            if (column.Severity is not ("error" or "warning"))
            {
                throw KilnException.Invalid($"{Where()}: severity is '{column.Severity}'; use error or warning.");
            }
            if (column.Pattern is { } pattern)
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    throw KilnException.Invalid($"{Where()}: pattern '{pattern}' is not a valid regular expression ({e.Message}).");
                }
            }
            if (column.Drift is { } drift && (drift.Threshold is not (> 0 and <= 1) || drift.Method is not ("js" or "linf")))
            {
                throw KilnException.Invalid($"{Where()}: drift needs method js (numeric: Jensen-Shannon distance) or linf (categorical: L-infinity) and a threshold in (0, 1].");
            }
        }
    }
}

/// <summary>Row-count rules.</summary>
public sealed class RowRule
{
    /// <summary>The fewest rows a version may have.</summary>
    public long? Min { get; set; }

    /// <summary>The most rows a version may have.</summary>
    public long? Max { get; set; }

    /// <summary>The largest relative change from the reference version's row count (0.5: within ±50%).</summary>
    public double? MaxChange { get; set; }
}

/// <summary>One column's rules.</summary>
public sealed class ColumnRule
{
    /// <summary>numeric, categorical or text.</summary>
    public string Type { get; set; } = "numeric";

    /// <summary>Whether the column must be present (default true).</summary>
    public bool Required { get; set; } = true;

    /// <summary>The largest share of missing values allowed (0 to 1).</summary>
    public double? MaxMissing { get; set; }

    /// <summary>The smallest value allowed (numeric).</summary>
    public double? Min { get; set; }

    /// <summary>The largest value allowed (numeric).</summary>
    public double? Max { get; set; }

    /// <summary>The values allowed (categorical or text).</summary>
    public List<string>? Domain { get; set; }

    /// <summary>The share of values outside <see cref="Domain"/> tolerated (0 to 1, default 0).</summary>
    public double MaxUnseen { get; set; }

    /// <summary>Whether every non-missing value must be distinct (a key).</summary>
    public bool Unique { get; set; }

    /// <summary>A regular expression every non-missing value must match in full.</summary>
    public string? Pattern { get; set; }

    /// <summary>How far the distribution may move from the reference version.</summary>
    public DriftRule? Drift { get; set; }

    /// <summary>error (default) or warning: how this column's anomalies count.</summary>
    public string Severity { get; set; } = "error";
}

/// <summary>A distribution-change rule.</summary>
public sealed class DriftRule
{
    /// <summary>js (Jensen-Shannon distance, numeric) or linf (L-infinity distance of category shares).</summary>
    public string Method { get; set; } = "js";

    /// <summary>The largest distance allowed.</summary>
    public double Threshold { get; set; } = 0.1;
}
