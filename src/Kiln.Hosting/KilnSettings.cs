namespace Kiln.Hosting;

/// <summary>
/// Where Kiln keeps its data. Defaults: <c>$KILN_HOME</c> or <c>./.kiln</c>, holding <c>kiln.db</c> (SQLite)
/// and <c>artifacts/</c>. <c>--store</c> and <c>--artifacts</c> (or KILN_STORE / KILN_ARTIFACTS) override.
/// </summary>
public sealed record KilnSettings(string Home, string StoreUri, string ArtifactsRoot)
{
    /// <summary>Resolves settings from explicit values, then the environment, then defaults.</summary>
    public static KilnSettings Resolve(string? store = null, string? artifacts = null, string? home = null)
    {
        home ??= Environment.GetEnvironmentVariable("KILN_HOME") is { Length: > 0 } h ? h : Path.Combine(Directory.GetCurrentDirectory(), ".kiln");
        home = Path.GetFullPath(home);
        store ??= Environment.GetEnvironmentVariable("KILN_STORE") is { Length: > 0 } s ? s : "sqlite:///" + Path.Combine(home, "kiln.db");
        artifacts ??= Environment.GetEnvironmentVariable("KILN_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(home, "artifacts");
        return new KilnSettings(home, store, artifacts);
    }

    /// <summary>The store URI with any password hidden, for logs.</summary>
    public string StoreDisplay => System.Text.RegularExpressions.Regex.Replace(StoreUri, "://([^:/@]+):[^@]*@", "://$1:***@");
}
