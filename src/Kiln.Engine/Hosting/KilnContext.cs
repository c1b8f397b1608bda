using Kiln.Core.Artifacts;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Storage;

namespace Kiln.Engine.Hosting;

/// <summary>The opened stores and the services over them; what the server and the CLI share.</summary>
public sealed class KilnContext(KilnSettings settings, ITrackingStore store, IArtifactStore artifacts) : IAsyncDisposable
{
    /// <summary>The scheme of artifact URIs the server proxies.</summary>
    public const string ProxiedArtifactRoot = "mlflow-artifacts:";

    public KilnSettings Settings { get; } = settings;

    public ITrackingStore Store { get; } = store;

    public IArtifactStore Artifacts { get; } = artifacts;

    public TrackingService Tracking { get; } = new(store, artifacts);

    /// <summary>
    /// Opens the store (applying migrations) and the artifact store. With <paramref name="proxyArtifacts"/>, new
    /// experiments get <c>mlflow-artifacts:</c> locations served through the tracking server.
    /// </summary>
    public static async Task<KilnContext> OpenAsync(KilnSettings settings, bool proxyArtifacts = true, CancellationToken ct = default)
    {
        var artifacts = Stores.OpenArtifacts(settings.ArtifactsRoot);
        var root = proxyArtifacts ? ProxiedArtifactRoot : artifacts.Root;
        var store = await Stores.OpenTrackingAsync(settings.StoreUri, root, ct);
        return new KilnContext(settings, store, artifacts);
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
