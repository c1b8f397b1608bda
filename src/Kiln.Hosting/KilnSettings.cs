using Kiln.Core.Errors;

namespace Kiln.Hosting;

/// <summary>
/// Where Kiln keeps its data. Defaults: <c>$KILN_HOME</c> or <c>./.kiln</c>, holding <c>kiln.db</c> (SQLite)
/// and <c>artifacts/</c>. <c>--store</c> and <c>--artifacts</c> (or KILN_STORE / KILN_ARTIFACTS) override.
/// With a <see cref="TrackingServer"/>, runs are read and recorded on that server instead, and no local store is opened.
/// </summary>
public sealed record KilnSettings(string Home, string StoreUri, string ArtifactsRoot, Uri? TrackingServer = null)
{
    /// <summary>
    /// Where new experiments keep their artifacts: null is <c>mlflow-artifacts:</c> (uploaded through the server's proxy); a
    /// <c>file:</c> URI makes clients write there directly, as MLflow's <c>--default-artifact-root</c> does.
    /// </summary>
    public string? DefaultArtifactRoot { get; init; }

    /// <summary>
    /// Resolves settings from explicit values, then the environment, then defaults. The tracking URI comes from
    /// <paramref name="tracking"/> (<c>--tracking-uri</c>), else <c>KILN_TRACKING_URI</c>, else <c>MLFLOW_TRACKING_URI</c> when it is
    /// an http(s) address and KILN_STORE is not set (MLflow also lets that variable name a local folder, which Kiln leaves alone). An http(s) URI is a tracking
    /// server; a store URI (<c>sqlite:</c>, <c>postgresql:</c>) is the same as <c>--store</c>. An explicit <paramref name="store"/> wins over
    /// the environment's tracking URI. <paramref name="environment"/> reads variables (default: the process's).
    /// </summary>
    public static KilnSettings Resolve(string? store = null, string? artifacts = null, string? home = null, string? tracking = null,
        Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        home ??= env("KILN_HOME") is { Length: > 0 } h ? h : Path.Combine(Directory.GetCurrentDirectory(), ".kiln");
        home = Path.GetFullPath(home);
        var server = TrackingServerFrom(ref store, tracking, env);
        store ??= env("KILN_STORE") is { Length: > 0 } s ? s : "sqlite:///" + Path.Combine(home, "kiln.db");
        artifacts ??= env("KILN_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(home, "artifacts");
        return new KilnSettings(home, store, artifacts, server);
    }

    /// <summary>The store URI with any password hidden, for logs.</summary>
    public string StoreDisplay => System.Text.RegularExpressions.Regex.Replace(StoreUri, "://([^:/@]+):[^@]*@", "://$1:***@");

    /// <summary>Where runs are recorded, for messages: the tracking server or the store.</summary>
    public string TrackingDisplay => TrackingServer?.AbsoluteUri ?? StoreDisplay;

    private static Uri? TrackingServerFrom(ref string? store, string? explicitTracking, Func<string, string?> env)
    {
        if (explicitTracking is { Length: > 0 })
        {
            if (store is not null)
            {
                throw KilnException.Invalid("Pass either --tracking-uri or --store, not both.");
            }
            return Parse(explicitTracking, "--tracking-uri", ref store);
        }
        if (store is not null)
        {
            return null;
        }
        if (env("KILN_TRACKING_URI") is { Length: > 0 } kiln)
        {
            return Parse(kiln, "KILN_TRACKING_URI", ref store);
        }
        // MLflow's variable is a fallback only: a store chosen for Kiln (KILN_STORE) wins over it.
        if (env("KILN_STORE") is { Length: > 0 })
        {
            return null;
        }
        return env("MLFLOW_TRACKING_URI") is { Length: > 0 } mlflow && IsHttp(mlflow) ? Parse(mlflow, "MLFLOW_TRACKING_URI", ref store) : null;
    }

    private static Uri? Parse(string value, string source, ref string? store)
    {
        if (IsHttp(value))
        {
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Host.Length > 0
                ? uri
                : throw KilnException.Invalid($"{source} '{value}' is not a valid server address; use http://HOST:PORT, e.g. http://127.0.0.1:5000.");
        }
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            store = value;
            return null;
        }
        throw KilnException.Invalid(
            $"{source} '{value}' is neither a tracking server (http://HOST:PORT) nor a store URI (sqlite:///PATH.db, postgresql://USER@HOST/DB).");
    }

    private static bool IsHttp(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
