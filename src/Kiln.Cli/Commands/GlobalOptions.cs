using System.CommandLine;
using Kiln.Hosting;

namespace Kiln.Cli.Commands;

/// <summary>Options every command understands.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Store = new("--store")
    {
        Description = "Metadata store URI: sqlite:///path.db (default $KILN_HOME/kiln.db, KILN_HOME defaults to ./.kiln) or postgresql://user:pass@host:5432/db. Env: KILN_STORE.",
        Recursive = true,
    };

    public static readonly Option<string?> Artifacts = new("--artifacts")
    {
        Description = "Artifact root directory (default $KILN_HOME/artifacts). Env: KILN_ARTIFACTS.",
        Recursive = true,
    };

    public static readonly Option<string?> TrackingUri = new("--tracking-uri")
    {
        Description = "Tracking server to read and record runs on, e.g. http://mlops:5000 (artifacts go through its proxy). Env: KILN_TRACKING_URI, or MLFLOW_TRACKING_URI when http(s). Default: the local store.",
        Recursive = true,
    };

    public static KilnSettings Settings(ParseResult parse) =>
        KilnSettings.Resolve(parse.GetValue(Store), parse.GetValue(Artifacts), tracking: parse.GetValue(TrackingUri));

    /// <summary>Kiln's services over the stores the options name (migrated on open).</summary>
    public static Task<KilnHost> OpenAsync(ParseResult parse, CancellationToken ct) => KilnHost.OpenAsync(Settings(parse), ct: ct);
}
