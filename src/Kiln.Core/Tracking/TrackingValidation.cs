using Kiln.Core.Errors;

namespace Kiln.Core.Tracking;

/// <summary>Checks of user input against <see cref="TrackingLimits"/>; each failure says what was wrong and what to do.</summary>
public static class TrackingValidation
{
    /// <summary>Validates a metric/param/tag key: non-empty, ≤ 250 chars, <c>[/\w.\- ]</c>, a normalised relative path.</summary>
    public static void Key(string? key, string kind)
    {
        if (key is null)
        {
            throw KilnException.Invalid($"Missing value for required parameter 'key'. Every {kind} needs a key.");
        }
        if (key.Length > TrackingLimits.MaxKeyLength)
        {
            throw KilnException.Invalid($"{Capitalise(kind)} key '{Shorten(key)}' had length {key.Length}, which exceeded length limit of {TrackingLimits.MaxKeyLength}.");
        }
        if (!IsValidName(key))
        {
            throw KilnException.Invalid(
                $"Invalid {kind} name: '{Shorten(key)}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/), " +
                "and must be a relative path without empty, '.' or '..' segments.");
        }
    }

    /// <summary>Validates a param value's length.</summary>
    public static void ParamValue(string key, string? value)
    {
        if (value is null)
        {
            throw KilnException.Invalid($"Missing value for param '{key}'.");
        }
        if (value.Length > TrackingLimits.MaxParamValueLength)
        {
            throw KilnException.Invalid($"Param value '{Shorten(value)}' for key '{key}' had length {value.Length}, which exceeded length limit of {TrackingLimits.MaxParamValueLength}.");
        }
        NoNul(value, $"param '{key}'");
    }

    /// <summary>Validates a tag value's length.</summary>
    public static void TagValue(string key, string? value)
    {
        if (value is null)
        {
            throw KilnException.Invalid($"Missing value for tag '{key}'.");
        }
        if (value.Length > TrackingLimits.MaxTagValueLength)
        {
            throw KilnException.Invalid($"Tag value '{Shorten(value)}' for key '{key}' had length {value.Length}, which exceeded length limit of {TrackingLimits.MaxTagValueLength}.");
        }
        NoNul(value, $"tag '{key}'");
    }

    /// <summary>Validates a whole log-batch before anything is written: counts, keys, values, and no key logged twice with two values.</summary>
    public static void Batch(IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags)
    {
        if (metrics.Count > TrackingLimits.MaxMetricsPerBatch || parameters.Count > TrackingLimits.MaxParamsPerBatch ||
            tags.Count > TrackingLimits.MaxTagsPerBatch || metrics.Count + parameters.Count + tags.Count > TrackingLimits.MaxEntitiesPerBatch)
        {
            throw KilnException.Invalid(
                $"A batch logging request can contain at most {TrackingLimits.MaxMetricsPerBatch} metrics, {TrackingLimits.MaxParamsPerBatch} params, " +
                $"and {TrackingLimits.MaxTagsPerBatch} tags, and at most {TrackingLimits.MaxEntitiesPerBatch} entities in total. " +
                $"Got {metrics.Count} metrics, {parameters.Count} params and {tags.Count} tags: split it into smaller batches.");
        }
        // A batch repeats a few keys many times (10 keys × 100 steps): check each distinct key once.
        var checkedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (checkedKeys.Add(metric.Key ?? ""))
            {
                Key(metric.Key, "metric");
            }
        }
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            Key(param.Key, "param");
            ParamValue(param.Key, param.Value);
            if (seen.TryGetValue(param.Key, out var earlier) && earlier != param.Value)
            {
                throw KilnException.Invalid(
                    $"Duplicate parameter keys have been submitted: param '{param.Key}' appears with values '{Shorten(earlier)}' and '{Shorten(param.Value)}'. " +
                    "Log each param once per batch.");
            }
            seen[param.Key] = param.Value;
        }
        foreach (var tag in tags)
        {
            Key(tag.Key, "tag");
            TagValue(tag.Key, tag.Value);
        }
    }

    /// <summary>Validates an experiment or run name.</summary>
    public static void Name(string? name, string kind)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw KilnException.Invalid($"Invalid {kind} name: the name must be a non-empty string.");
        }
        if (name.Length > TrackingLimits.MaxNameLength)
        {
            throw KilnException.Invalid($"{Capitalise(kind)} name had length {name.Length}, which exceeded length limit of {TrackingLimits.MaxNameLength}.");
        }
        if (name.Any(char.IsControl))
        {
            throw KilnException.Invalid($"Invalid {kind} name '{Printable(name)}': it contains a control character (such as NUL, a tab or a newline); use printable text.");
        }
    }

    /// <summary>
    /// Validates a free-text value (a dataset's fields, say): no NUL character, which PostgreSQL cannot store — one rule
    /// for every store, so a SQLite database can always move to PostgreSQL.
    /// </summary>
    public static void NoNul(string? value, string what)
    {
        if (value is not null && value.Contains('\0'))
        {
            throw KilnException.Invalid($"The value of {what} contains a NUL character (\\u0000), which no Kiln store keeps; remove it.");
        }
    }

    /// <summary>
    /// Validates an experiment's artifact location: printable, and either a URI with a scheme (<c>s3://…</c>,
    /// <c>mlflow-artifacts:/…</c>), a <c>file:</c> URI with an absolute path, or an absolute local path.
    /// </summary>
    public static void ArtifactLocation(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return;
        }
        if (location.Any(char.IsControl))
        {
            throw KilnException.Invalid($"Invalid artifact location '{Printable(location)}': it contains a control character; use a printable URI or path.");
        }
        if (location.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(location, UriKind.Absolute, out var file) || !file.IsFile || !Path.IsPathRooted(file.LocalPath))
            {
                throw KilnException.Invalid($"Invalid artifact location '{location}': a file: location needs an absolute path, e.g. file:///srv/kiln/artifacts.");
            }
            return;
        }
        var colon = location.IndexOf(':', StringComparison.Ordinal);
        var hasScheme = colon > 1 && location[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
        if (!hasScheme && !Path.IsPathRooted(location))
        {
            throw KilnException.Invalid($"Invalid artifact location '{location}': give a URI (s3://bucket/path, file:///srv/artifacts) or an absolute path.");
        }
    }

    /// <summary>Validates a search page size.</summary>
    public static int MaxResults(int? maxResults, int limit)
    {
        var value = maxResults ?? TrackingLimits.DefaultSearchResults;
        if (value < 1 || value > limit)
        {
            throw KilnException.Invalid($"Invalid value {value} for parameter 'max_results' supplied. It must be at most {limit}, and at least 1.");
        }
        return value;
    }

    /// <summary>Whether a key is a valid metric/param/tag name: <c>[/\w.\- ]</c>, a relative path without empty, '.' or '..' segments.</summary>
    public static bool IsValidName(string key)
    {
        if (key.Length == 0 || key[0] == '/' || key[^1] == '/')
        {
            return false;
        }
        foreach (var c in key)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or ' ' or '/'))
            {
                return false;
            }
        }
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return false;
            }
        }
        return true;
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Printable(string s) => Shorten(new string([.. s.Select(c => char.IsControl(c) ? '?' : c)]));

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
