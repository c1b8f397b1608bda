using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Testing;

/// <summary>A replica heartbeat that beats more often than the default 2 s, so tests see their traffic in the store quickly.</summary>
public static class FastHeartbeat
{
    /// <summary>Registers the server's <see cref="ReplicaHeartbeat"/> with <paramref name="interval"/> (before the server adds its own).</summary>
    public static IServiceCollection AddFastHeartbeat(this IServiceCollection services, TimeSpan interval) =>
        services.AddSingleton(sp => new ReplicaHeartbeat(sp.GetRequiredService<IDeploymentStore>(), sp.GetRequiredService<IReplicaStore>(),
            sp.GetRequiredService<ServedModels>(), sp.GetRequiredService<ServingTraffic>(), sp.GetRequiredService<TimeProvider>())
        {
            Interval = interval,
        });
}
