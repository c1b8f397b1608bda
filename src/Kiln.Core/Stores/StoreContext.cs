using Kiln.Core.Ids;

namespace Kiln.Core.Stores;

/// <summary>What every store is opened with, besides its URI.</summary>
/// <param name="DefaultArtifactRoot">Where new experiments keep artifacts, e.g. <c>mlflow-artifacts:</c> (proxied by the server).</param>
/// <param name="Time">The clock for timestamps the store sets itself (creation times, applied migrations).</param>
/// <param name="Ids">Where new ids come from.</param>
public sealed record StoreContext(string DefaultArtifactRoot, TimeProvider Time, IdGenerator Ids)
{
    /// <summary>Proxied artifacts, the system clock and random ids.</summary>
    public static StoreContext Default { get; } = new(Artifacts.ArtifactUris.ProxiedScheme, TimeProvider.System, IdGenerator.Default);
}
