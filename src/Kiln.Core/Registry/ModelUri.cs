using Kiln.Core.Errors;

namespace Kiln.Core.Registry;

/// <summary>
/// A parsed <c>models:/</c> URI: <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>, <c>models:/NAME/latest</c> or (for
/// old clients) <c>models:/NAME/STAGE</c>. Exactly one of <see cref="Version"/>, <see cref="Alias"/>, <see cref="Stage"/> is
/// set, or none when <see cref="Latest"/>.
/// </summary>
/// <param name="Name">The registered model.</param>
/// <param name="Version">A version number, or null.</param>
/// <param name="Alias">An alias, or null.</param>
/// <param name="Stage">A stage (canonical spelling), or null.</param>
public sealed record ModelUri(string Name, int? Version, string? Alias, string? Stage)
{
    /// <summary>The scheme.</summary>
    public const string Scheme = "models:/";

    /// <summary>Whether this is <c>models:/NAME/latest</c> (the highest version number).</summary>
    public bool Latest => Version is null && Alias is null && Stage is null;

    /// <summary>Whether a reference is a <c>models:/</c> URI.</summary>
    public static bool Is(string reference) => reference.StartsWith("models:", StringComparison.Ordinal);

    /// <summary>Parses a URI; INVALID_PARAMETER_VALUE naming the accepted forms when it is not one.</summary>
    public static ModelUri Parse(string uri)
    {
        var path = uri.StartsWith(Scheme, StringComparison.Ordinal) ? uri[Scheme.Length..].TrimStart('/').TrimEnd('/') : "";
        var at = path.LastIndexOf('@');
        if (at > 0 && at < path.Length - 1 && !path[at..].Contains('/', StringComparison.Ordinal))
        {
            return new ModelUri(path[..at], null, path[(at + 1)..], null);
        }
        var slash = path.LastIndexOf('/');
        if (slash > 0 && slash < path.Length - 1)
        {
            var (name, suffix) = (path[..slash], path[(slash + 1)..]);
            if (suffix.Equals("latest", StringComparison.OrdinalIgnoreCase))
            {
                return new ModelUri(name, null, null, null);
            }
            if (int.TryParse(suffix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                return new ModelUri(name, version, null, null);
            }
            if (RegistryValidation.Stages.FirstOrDefault(s => s.Equals(suffix, StringComparison.OrdinalIgnoreCase)) is { } stage)
            {
                return new ModelUri(name, null, null, stage);
            }
        }
        throw KilnException.Invalid(
            $"Not a proper models:/ URI: '{uri}'. Models URIs must be of the form 'models:/model_name/version', 'models:/model_name@alias', " +
            "'models:/model_name/latest' or 'models:/model_name/stage'.");
    }

    /// <inheritdoc />
    public override string ToString() => Scheme + Name + (Alias is not null ? "@" + Alias : "/" + (Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Stage ?? "latest"));
}
