using System.Globalization;
using System.Text.RegularExpressions;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Core.Registry;

/// <summary>The registry's input rules, with MLflow's limits and messages (its clients and tests match on them).</summary>
public static partial class RegistryValidation
{
    /// <summary>Longest alias.</summary>
    public const int MaxAliasLength = 255;

    /// <summary>Longest tag key.</summary>
    public const int MaxTagKeyLength = 250;

    /// <summary>Longest tag value.</summary>
    public const int MaxTagValueLength = 5000;

    /// <summary>The stages old clients move versions between.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["None", "Staging", "Production", "Archived"];

    /// <summary>A registered model's name: not empty.</summary>
    public static string ModelName(string? name) =>
        string.IsNullOrEmpty(name) ? throw KilnException.Invalid("Registered model name cannot be empty.") : name;

    /// <summary>A version number as text (MLflow sends versions as strings).</summary>
    public static int Version(string? version) =>
        int.TryParse(version?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw KilnException.Invalid($"Model version must be an integer, got '{version}'");

    /// <summary>An alias: not empty, <c>^[\w\-]*$</c>, at most 255 characters, not <c>latest</c>, not <c>v&lt;digits&gt;</c>.</summary>
    public static string Alias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw KilnException.Invalid("Registered model alias name cannot be empty.");
        }
        if (!AliasPattern().IsMatch(alias))
        {
            throw KilnException.Invalid($"Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
        }
        Length("Registered model alias name", MaxAliasLength, alias);
        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            throw KilnException.Invalid("'latest' alias name (case insensitive) is reserved.");
        }
        return VersionAliasPattern().IsMatch(alias) ? throw KilnException.Invalid($"Version alias name '{alias}' is reserved.") : alias;
    }

    /// <summary>A registered model's tag.</summary>
    public static void ModelTag(string? key, string? value)
    {
        TagKey(key);
        Length("Registered model key", MaxTagKeyLength, key!);
        Length("Registered model value", MaxTagValueLength, value);
    }

    /// <summary>A model version's tag.</summary>
    public static void VersionTag(string? key, string? value)
    {
        TagKey(key);
        if (value is null)
        {
            throw KilnException.Invalid("Tag value cannot be None");
        }
        Length("Model version key", MaxTagKeyLength, key!);
        Length("Model version value", MaxTagValueLength, value);
    }

    /// <summary>A stage name, matched case-insensitively (as MLflow does) and returned in its canonical spelling.</summary>
    public static string Stage(string? stage) =>
        Stages.FirstOrDefault(s => s.Equals(stage?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw KilnException.Invalid($"Invalid Model Version stage: {stage}. Value must be one of {string.Join(", ", Stages)}.");

    private static void TagKey(string? key)
    {
        if (key is null)
        {
            throw KilnException.Invalid("Tag name cannot be None. Names may not be empty.");
        }
        if (!TrackingValidation.IsValidName(key))
        {
            throw KilnException.Invalid(
                $"Invalid tag name: '{key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }
    }

    private static void Length(string what, int limit, string? value)
    {
        if (value is not null && value.Length > limit)
        {
            throw KilnException.Invalid($"{what} '{value[..Math.Min(250, value.Length)]}' had length {value.Length}, which exceeded length limit of {limit}");
        }
    }

    [GeneratedRegex(@"^[\w\-]*$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex VersionAliasPattern();
}
