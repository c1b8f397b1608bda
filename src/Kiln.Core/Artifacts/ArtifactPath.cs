using Kiln.Core.Errors;

namespace Kiln.Core.Artifacts;

/// <summary>Validates artifact paths: relative, '/'-separated, no '..' segments, so no path escapes the store root.</summary>
public static partial class ArtifactPath
{
    /// <summary>Returns the normalised path (no leading/trailing or doubled slashes, no '.' segments); throws INVALID_PARAMETER_VALUE for unsafe paths.</summary>
    public static string Normalize(string? path, bool allowEmpty = false)
    {
        path ??= "";
        if (path.Contains('\0') || path.Contains('\\') || path.StartsWith('/') || (path.Length > 1 && path[1] == ':') || path.Contains("://"))
        {
            throw Unsafe(path);
        }
        if (EncodedSeparatorOrDot().IsMatch(path))
        {
            // A URL decoder upstream may or may not have decoded these; either way the name must not smuggle a separator or a dot segment.
            throw KilnException.Invalid($"Invalid artifact path '{path}': percent-encoded separators, dots or percent signs (%2F, %5C, %2E, %25) are not allowed; use plain '/'-separated names.");
        }
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                throw Unsafe(path);
            }
            segments.Add(segment);
        }
        var normalized = string.Join('/', segments);
        if (normalized.Length == 0 && !allowEmpty)
        {
            throw KilnException.Invalid("An artifact path is required: give a relative path such as 'model/MLmodel'.");
        }
        return normalized;
    }

    /// <summary>Joins two relative paths.</summary>
    public static string Join(string left, string right) =>
        left.Length == 0 ? right : right.Length == 0 ? left : left.TrimEnd('/') + "/" + right.TrimStart('/');

    [System.Text.RegularExpressions.GeneratedRegex("%(2[fFeE5]|5[cC])")]
    private static partial System.Text.RegularExpressions.Regex EncodedSeparatorOrDot();

    private static KilnException Unsafe(string path) =>
        KilnException.Invalid($"Invalid artifact path '{path}': it must be relative, use '/' separators and contain no '..' segments.");
}
