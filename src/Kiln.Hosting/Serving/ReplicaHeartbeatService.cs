using Kiln.Engine.Serving;
using Kiln.Hosting.Background;
using Kiln.Server.Serving;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Serving;

/// <summary>
/// Runs the <see cref="ReplicaHeartbeat"/> while a serving process runs (<c>kiln server</c> and each <c>kiln serve</c>): the
/// replica's id is its host, the port it listens on and its process id, known once the server listens.
/// </summary>
internal sealed class ReplicaHeartbeatService(ReplicaHeartbeat heartbeat, IServiceProvider services, TimeProvider time, ILogger<ReplicaHeartbeatService> logger)
    : PeriodicService(time, logger)
{
    private readonly long _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
    private ReplicaIdentity? _me;

    protected override TimeSpan Interval => heartbeat.Interval;

    protected override Task RunOnceAsync(CancellationToken ct)
    {
        _me ??= ReplicaIdentity.Here(Port(), _startedAt, services.GetService<ServingDefaults>()?.Deployment);
        return heartbeat.BeatAsync(_me, ct);
    }

    private int Port()
    {
        var address = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is not null && Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : 0;
    }
}
