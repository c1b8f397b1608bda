using Kiln.Client;
using Kiln.Core.Ids;
using Kiln.Core.Stores;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Engine.Tracking.Remote;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Hosting.Tracking;

/// <summary>Registers experiment tracking: over the local store, or over a tracking server.</summary>
public static class TrackingRegistration
{
    /// <summary>
    /// Adds the <see cref="ITrackingStore"/> (from the metadata store), the <see cref="TrackingService"/> over it, and
    /// that service as the <see cref="ITracking"/> commands use.
    /// </summary>
    public static IServiceCollection AddKilnTracking(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Tracking);
        services.TryAddSingleton<TrackingService>();
        services.TryAddSingleton<ITracking>(sp => sp.GetRequiredService<TrackingService>());
        return services;
    }

    /// <summary>
    /// Adds <see cref="ITracking"/> as <see cref="RemoteTracking"/> over the server at <paramref name="server"/>, with the
    /// clock and id generator commands need; no local store is registered or opened.
    /// </summary>
    public static IServiceCollection AddKilnRemoteTracking(this IServiceCollection services, KilnSettings settings, Uri server)
    {
        services.TryAddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(IdGenerator.Default);
        services.TryAddSingleton(sp => new KilnClient(server, time: sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITracking, RemoteTracking>();
        services.TryAddSingleton<Kiln.Engine.Registry.IModelFiles, Kiln.Engine.Registry.RemoteModelFiles>();
        return services;
    }
}
