using Kiln.Learn.Data;

namespace Kiln.Learn.Trees;

/// <summary>
/// Monotone and interaction constraints on the features a tree splits on, parsed from their option strings
/// (<c>debt_to_income:-1,income:+1</c>; <c>[[a,b],[c,d]]</c>) against the model's features.
/// </summary>
internal static class TreeConstraints
{
    /// <summary>Per feature (schema order): +1 the prediction may only rise with it, −1 only fall, 0 free; null when none.</summary>
    /// <exception cref="LearnException">An unknown or categorical feature, or a direction other than +1/−1; the message says which.</exception>
    public static sbyte[]? Monotone(string? spec, ModelSchema schema)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return null;
        }
        var result = new sbyte[schema.Features.Count];
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            var name = colon < 0 ? part : part[..colon].Trim();
            var direction = colon < 0 ? "" : part[(colon + 1)..].Trim();
            var sign = direction switch
            {
                "1" or "+1" or "+" or "increasing" => (sbyte)1,
                "-1" or "-" or "decreasing" => (sbyte)-1,
                _ => throw new LearnException($"monotone: '{part}' needs a direction: FEATURE:+1 (the score only rises with it) or FEATURE:-1 (only falls), e.g. debt_to_income:-1,income:+1."),
            };
            var f = Feature(name, schema, "monotone");
            if (schema.Features[f].Kind != FeatureKind.Numeric)
            {
                throw new LearnException($"monotone: '{name}' is categorical; a monotone constraint needs an ordered (numeric) feature.");
            }
            result[f] = sign;
        }
        return result;
    }

    /// <summary>The groups of features (schema positions) allowed to interact, each feature not named in any group a group
    /// of its own; null when none.</summary>
    /// <exception cref="LearnException">The text is not a list of lists of feature names, or names an unknown feature.</exception>
    public static int[][]? Interactions(string? spec, ModelSchema schema)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return null;
        }
        var text = spec.Trim();
        if (!text.StartsWith("[[", StringComparison.Ordinal) || !text.EndsWith("]]", StringComparison.Ordinal))
        {
            throw new LearnException($"interactions: '{spec}' is not a list of feature groups; write e.g. [[income,debt_to_income],[age,employment_years]].");
        }
        var groups = new List<int[]>();
        foreach (var group in text[2..^2].Split("],", StringSplitOptions.TrimEntries))
        {
            var names = group.TrimStart('[').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => n.Trim('"', '\'')).ToList();
            if (names.Count == 0)
            {
                throw new LearnException($"interactions: '{spec}' has an empty group.");
            }
            groups.Add([.. names.Select(n => Feature(n, schema, "interactions")).Distinct()]);
        }
        var named = groups.SelectMany(g => g).ToHashSet();
        for (var f = 0; f < schema.Features.Count; f++)
        {
            if (!named.Contains(f))
            {
                groups.Add([f]);
            }
        }
        return [.. groups];
    }

    private static int Feature(string name, ModelSchema schema, string option)
    {
        var f = schema.IndexOf(name);
        return f >= 0 ? f : throw new LearnException(
            $"{option}: there is no feature '{name}'. Features: {string.Join(", ", schema.Features.Select(x => x.Name))}.");
    }
}
