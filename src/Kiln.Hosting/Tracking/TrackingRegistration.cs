using Kiln.Core.Stores;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Hosting.Tracking;

/// <summary>Registers experiment tracking.</summary>
public static class TrackingRegistration
{
    /// <summary>Adds the <see cref="ITrackingStore"/> (from the metadata store) and the <see cref="TrackingService"/> over it.</summary>
    public static IServiceCollection AddKilnTracking(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Tracking);
        services.TryAddSingleton<TrackingService>();
        return services;
    }
}
