using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Stores;
using Kiln.Storage.Local;
using Kiln.Storage.Postgres;
using Kiln.Storage.Sql;
using Kiln.Storage.Sqlite;

namespace Kiln.Storage;

/// <summary>
/// The stores Kiln.Storage provides, by URI scheme: metadata stores (<c>sqlite:///relative.db</c>,
/// <c>sqlite:////absolute.db</c>, <c>postgresql://…</c>) and artifact stores (<c>file://</c> or a plain path).
/// A store of another kind plugs in by registering its factory in <see cref="Metadata"/> or <see cref="Artifacts"/>.
/// </summary>
public static class StoreFactories
{
    /// <summary>Metadata store factories by scheme.</summary>
    public static StoreRegistry<IMetadataStore> Metadata { get; } = new StoreRegistry<IMetadataStore>("metadata store")
        .Register("sqlite", (uri, context) => new SqlMetadataStore(SqliteFromUri(uri.Value), context))
        .Register("postgresql", (uri, context) => new SqlMetadataStore(new PostgresDialect(PostgresDialect.ConnectionStringFromUri(uri.Value)), context))
        .Register("postgres", (uri, context) => new SqlMetadataStore(new PostgresDialect(PostgresDialect.ConnectionStringFromUri(uri.Value)), context));

    /// <summary>Artifact store factories by scheme.</summary>
    public static StoreRegistry<IArtifactStore> Artifacts { get; } = new StoreRegistry<IArtifactStore>("artifact store")
        .Register("file", (uri, _) => new LocalArtifactStore(new Uri(uri.Value).LocalPath));

    /// <summary>Opens and initialises (migrates) the metadata store a URI names.</summary>
    public static async Task<IMetadataStore> OpenMetadataAsync(string uri, StoreContext? context = null, CancellationToken ct = default)
    {
        var store = Metadata.Open(uri, context);
        try
        {
            await store.InitializeAsync(ct);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens an artifact store from a URI, or from a plain directory path.</summary>
    public static IArtifactStore OpenArtifacts(string location, StoreContext? context = null) =>
        location.Contains("://", StringComparison.Ordinal) ? Artifacts.Open(location, context) : new LocalArtifactStore(location);

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
                _ => throw KilnException.Invalid($"Unknown SQLite store option '{option}' in '{uri}'. Supported: synchronous=normal (default), synchronous=full."),
            };
        }
        return new SqliteDialect(SqlitePath(query < 0 ? uri : uri[..query]), fsyncEveryCommit: fsync);
    }

    private static string SqlitePath(string uri)
    {
        const string Prefix = "sqlite:///";
        if (!uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || uri.Length == Prefix.Length)
        {
            throw KilnException.Invalid($"Invalid SQLite URI '{uri}': use sqlite:///relative/path.db or sqlite:////absolute/path.db.");
        }
        return uri[Prefix.Length..];
    }
}
