using Kiln.Core.Errors;

namespace Kiln.Engine.Data;

/// <summary>Where a dataset file came from, as a run records it: the dataset's name, the version id as digest, and the URI.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Digest">The version id (<c>blake3:…</c>), which lineage searches for.</param>
/// <param name="Uri">The resolved reference, e.g. <c>datasets:/loans/blake3:9f2c…/loans.csv</c>.</param>
public sealed record DataSource(string Name, string Digest, string Uri);

/// <summary>
/// A <c>datasets:/</c> reference: <c>datasets:/NAME</c> or <c>datasets:/NAME@latest</c> (the newest version),
/// <c>datasets:/NAME/VERSION</c> (an id or a unique prefix of its hash), optionally followed by <c>/PATH</c> of one file
/// when the version holds several.
/// </summary>
public sealed record DatasetReference(string Name, string Version, string? File)
{
    public const string Scheme = "datasets:/";

    public static bool IsReference(string path) => path.StartsWith(Scheme, StringComparison.Ordinal);

    public static DatasetReference Parse(string reference)
    {
        var rest = reference[Scheme.Length..].Trim('/');
        var parts = rest.Split('/', 3);
        var name = parts[0];
        var version = "latest";
        if (name.EndsWith("@latest", StringComparison.Ordinal))
        {
            name = name[..^"@latest".Length];
        }
        else if (parts.Length > 1)
        {
            version = parts[1];
        }
        var file = name == parts[0] ? (parts.Length > 2 ? parts[2] : null) : (parts.Length > 1 ? string.Join('/', parts[1..]) : null);
        return name.Length > 0
            ? new DatasetReference(name, version, file)
            : throw KilnException.Invalid($"Invalid dataset reference '{reference}': use datasets:/NAME@latest or datasets:/NAME/VERSION[/FILE].");
    }
}
