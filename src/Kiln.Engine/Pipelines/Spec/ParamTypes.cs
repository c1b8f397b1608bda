using System.Globalization;

namespace Kiln.Engine.Pipelines.Spec;

/// <summary>Reading param types and checking values against them.</summary>
public static class ParamTypes
{
    /// <summary>The type named <paramref name="name"/> (string, int, float, bool, dataset, model, path), or null.</summary>
    public static ParamType? Parse(string name) => name.ToLowerInvariant() switch
    {
        "string" or "str" => ParamType.String,
        "int" or "integer" => ParamType.Int,
        "float" or "number" or "double" => ParamType.Float,
        "bool" or "boolean" => ParamType.Bool,
        "dataset" => ParamType.Dataset,
        "model" => ParamType.Model,
        "path" or "file" => ParamType.Path,
        _ => null,
    };

    /// <summary>The type a bare default implies: a whole number is int, another number float, true/false bool, else string.</summary>
    public static ParamType Infer(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? ParamType.Int
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? ParamType.Float
        : value is "true" or "false" ? ParamType.Bool
        : value.StartsWith("datasets:/", StringComparison.Ordinal) ? ParamType.Dataset
        : value.StartsWith("models:/", StringComparison.Ordinal) ? ParamType.Model
        : ParamType.String;

    /// <summary>Why <paramref name="value"/> is not a <paramref name="type"/>, or null when it is.</summary>
    public static string? Check(ParamType type, string value) => type switch
    {
        ParamType.Int when !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => $"'{value}' is not a whole number",
        ParamType.Float when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d) => $"'{value}' is not a number",
        ParamType.Bool when value is not ("true" or "false") => $"'{value}' is not true or false",
        ParamType.Dataset when !value.StartsWith("datasets:/", StringComparison.Ordinal) || value.Length <= "datasets:/".Length =>
            $"'{value}' is not a data set (datasets:/NAME or datasets:/NAME/VERSION)",
        ParamType.Model when !(value.StartsWith("models:/", StringComparison.Ordinal) || value.StartsWith("runs:/", StringComparison.Ordinal)) =>
            $"'{value}' is not a model (models:/NAME/VERSION, models:/NAME@ALIAS or runs:/ID/PATH)",
        ParamType.Path when value.Length == 0 => "an empty path",
        _ => null,
    };

    /// <summary>The name people write for <paramref name="type"/>.</summary>
    public static string Name(ParamType type) => type.ToString().ToLowerInvariant();
}
