using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Engine.Data.Validation;

/// <summary>One problem found: its type, severity, where (file and column) and the evidence.</summary>
/// <param name="Severity">error or warning.</param>
/// <param name="Type">missing_column, new_column, type_change, missing_share, out_of_range, unexpected_category, duplicate_key, pattern_mismatch, row_count, row_count_change, distribution_shift or missing_table.</param>
/// <param name="File">The file of the version, when the version has several.</param>
/// <param name="Column">The column, when the anomaly is about one.</param>
/// <param name="Description">What was found and what was allowed.</param>
public sealed record Anomaly(string Severity, string Type, string File, string? Column, string Description);

/// <summary>One column compared with the reference version.</summary>
/// <param name="File">The file.</param>
/// <param name="Column">The column.</param>
/// <param name="Kind">Its kind in the current version.</param>
/// <param name="Threshold">The distance allowed, when the schema sets one.</param>
/// <param name="Distribution">Both distributions and their distance.</param>
/// <param name="Shifted">Whether the distance is above the threshold.</param>
public sealed record ColumnComparison(string File, string Column, string Kind, double? Threshold, Distribution Distribution, bool Shifted);

/// <summary>The rows of one validated file and of its reference.</summary>
/// <param name="File">The file's path in the version.</param>
/// <param name="Rows">Its row count.</param>
/// <param name="ReferenceFile">The reference file it was compared with.</param>
/// <param name="ReferenceRows">The reference file's row count.</param>
public sealed record FileRows(string File, long Rows, string? ReferenceFile, long? ReferenceRows);

/// <summary>A dataset version checked against a schema and a reference version.</summary>
public sealed record ValidationResult
{
    /// <summary>The validation's id.</summary>
    public required string Id { get; init; }

    /// <summary>The dataset.</summary>
    public required string Dataset { get; init; }

    /// <summary>The version checked.</summary>
    public required string Version { get; init; }

    /// <summary>The reference version, if any.</summary>
    public string? Against { get; init; }

    /// <summary>The schema version used.</summary>
    public required string SchemaId { get; init; }

    /// <summary>When it ran, in Unix milliseconds.</summary>
    public required long CreatedAt { get; init; }

    /// <summary>The tables checked.</summary>
    public required IReadOnlyList<FileRows> Files { get; init; }

    /// <summary>Every anomaly, errors first.</summary>
    public required IReadOnlyList<Anomaly> Anomalies { get; init; }

    /// <summary>Per-column distribution comparisons with the reference.</summary>
    public required IReadOnlyList<ColumnComparison> Columns { get; init; }

    /// <summary>How many anomalies are errors.</summary>
    public int Errors => Anomalies.Count(a => a.Severity == "error");

    /// <summary>How many anomalies are warnings.</summary>
    public int Warnings => Anomalies.Count(a => a.Severity == "warning");

    /// <summary>Whether no anomaly is an error.</summary>
    public bool Passed => Errors == 0;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The result as JSON (snake_case).</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? new JsonSerializerOptions(Json) { WriteIndented = true } : Json);

    /// <summary>Reads a result written by <see cref="ToJson"/>.</summary>
    public static ValidationResult FromJson(string json) => JsonSerializer.Deserialize<ValidationResult>(json, Json) ?? throw new JsonException("Not a validation result.");
}
