using Kiln.Core.Artifacts;
using Kiln.Core.Stores;
using Kiln.Core.Tracking;
using Kiln.Storage.Local;
using Kiln.Storage.Postgres;
using Kiln.Storage.Sql;
using Kiln.Storage.Sqlite;

namespace Kiln.Storage;

/// <summary>Opens stores by URI: <c>sqlite:///relative.db</c>, <c>sqlite:////absolute.db</c>, <c>postgresql://…</c>; artifacts at a path or <c>file://</c> URI.</summary>
public static class Stores
{
    /// <summary>Metadata store dialects by scheme.</summary>
    public static StoreRegistry<SqlDialect> Dialects { get; } = new StoreRegistry<SqlDialect>("metadata store")
        .Register("sqlite", uri => SqliteFromUri(uri.Value))
        .Register("postgresql", uri => new PostgresDialect(PostgresDialect.ConnectionStringFromUri(uri.Value)))
        .Register("postgres", uri => new PostgresDialect(PostgresDialect.ConnectionStringFromUri(uri.Value)));

    /// <summary>Artifact stores by scheme.</summary>
    public static StoreRegistry<IArtifactStore> Artifacts { get; } = new StoreRegistry<IArtifactStore>("artifact store")
        .Register("file", uri => new LocalArtifactStore(new Uri(uri.Value).LocalPath));

    /// <summary>Opens the tracking store a URI names, applying migrations.</summary>
    public static async Task<ITrackingStore> OpenTrackingAsync(string uri, string defaultArtifactRoot, CancellationToken ct = default) =>
        await SqlTrackingStore.OpenAsync(Dialects.Open(uri), defaultArtifactRoot, ct);

    /// <summary>Opens an artifact store from a URI, or from a plain directory path.</summary>
    public static IArtifactStore OpenArtifacts(string location) =>
        location.Contains("://", StringComparison.Ordinal) ? Artifacts.Open(location) : new LocalArtifactStore(location);

    /// <summary>The sqlite URI for a file path.</summary>
    public static string SqliteUri(string path) => "sqlite:///" + Path.GetFullPath(path);

    private static SqliteDialect SqliteFromUri(string uri)
    {
        var query = uri.IndexOf('?', StringComparison.Ordinal);
        var options = query < 0 ? "" : uri[(query + 1)..];
        var fsync = false;
        foreach (var option in options.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            fsync = option.ToLowerInvariant() switch
            {
                "synchronous=full" => true,
                "synchronous=normal" => false,
                _ => throw Core.Errors.KilnException.Invalid($"Unknown SQLite store option '{option}' in '{uri}'. Supported: synchronous=normal (default), synchronous=full."),
            };
        }
        return new SqliteDialect(SqlitePath(query < 0 ? uri : uri[..query]), fsyncEveryCommit: fsync);
    }

    private static string SqlitePath(string uri)
    {
        const string Prefix = "sqlite:///";
        if (!uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || uri.Length == Prefix.Length)
        {
            throw Core.Errors.KilnException.Invalid($"Invalid SQLite URI '{uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db.");
        }
        return uri[Prefix.Length..];
    }
}
