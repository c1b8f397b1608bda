using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>Who a serving process is, as its heartbeats name it.</summary>
/// <param name="Id">The replica id: <c>HOST:PORT/PID</c>.</param>
/// <param name="Host">The machine (in Kubernetes, the pod's name).</param>
/// <param name="StartedAt">Unix milliseconds the process started serving.</param>
/// <param name="Deployment">The deployment a <c>kiln serve</c> replica serves; null for <c>kiln server</c>, which serves every deployment.</param>
public sealed record ReplicaIdentity(string Id, string Host, long StartedAt, string? Deployment)
{
    /// <summary>This process listening on <paramref name="port"/>.</summary>
    public static ReplicaIdentity Here(int port, long startedAt, string? deployment) =>
        new($"{Environment.MachineName}:{port}/{Environment.ProcessId}", Environment.MachineName, startedAt, deployment);
}

/// <summary>
/// One serving process's heartbeat: every <see cref="Interval"/> (KILN_HEARTBEAT_SECONDS, default 2) it writes one row per
/// deployment it serves to the <see cref="IReplicaStore"/>: each route's model reference, the version loaded for it, its load
/// failure, its traffic since the process started, and its traffic over the last <see cref="Window"/> (the difference from
/// the snapshot taken about that long ago, kept in memory). Rows not seen for <see cref="Forget"/> are deleted.
/// </summary>
public sealed class ReplicaHeartbeat(IDeploymentStore deployments, IReplicaStore replicas, ServedModels models, ServingTraffic traffic, TimeProvider time)
{
    private readonly Queue<(long Time, Dictionary<(string, string), RouteTraffic> Traffic)> _snapshots = new();

    /// <summary>How long the recent traffic each beat reports covers (at least; less while the process is younger).</summary>
    public static TimeSpan Window { get; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a replica that stopped beating is kept before its rows are deleted.</summary>
    public static TimeSpan Forget { get; } = TimeSpan.FromHours(1);

    /// <summary>Time between beats (KILN_HEARTBEAT_SECONDS, 0.1–3600, default 2).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("KILN_HEARTBEAT_SECONDS"),
        System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? Math.Clamp(seconds, 0.1, 3600) : 2);

    /// <summary>Writes this process's rows now and returns them.</summary>
    public async Task<IReadOnlyList<ReplicaStatus>> BeatAsync(ReplicaIdentity me, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_snapshots.Count == 0)
        {
            _snapshots.Enqueue((me.StartedAt, []));
        }
        while (_snapshots.Count > 1 && _snapshots.ElementAt(1).Time <= now - (long)Window.TotalMilliseconds)
        {
            _snapshots.Dequeue();
        }
        var (since, before) = _snapshots.Peek();
        var windowSeconds = Math.Max(0.001, (now - since) / 1000.0);

        var loaded = models.Loaded.ToDictionary(m => m.Reference, StringComparer.Ordinal);
        var snapshot = new Dictionary<(string, string), RouteTraffic>();
        var rows = new List<ReplicaStatus>();
        foreach (var deployment in await ServedAsync(me, ct))
        {
            var routes = new List<ReplicaRoute>();
            foreach (var route in deployment.Routes)
            {
                var total = snapshot[(deployment.Name, route.Name)] = traffic.Read(deployment.Name, route.Name);
                var recent = total.Minus(before.GetValueOrDefault((deployment.Name, route.Name), RouteTraffic.None));
                var served = loaded.GetValueOrDefault(route.Model);
                routes.Add(new ReplicaRoute(route.Name, route.Model, served?.Version?.Name, served?.Version?.Version, served?.LoadedAt,
                    models.Failures.GetValueOrDefault(route.Model), total, recent));
            }
            rows.Add(new ReplicaStatus(deployment.Name, me.Id, me.Host, me.StartedAt, now, windowSeconds, routes));
        }
        _snapshots.Enqueue((now, snapshot));
        await replicas.UpsertAsync(rows, ct);
        await replicas.PruneAsync(now - (long)Forget.TotalMilliseconds, ct);
        return rows;
    }

    /// <summary>A replica's own deployment (and any other it was asked to score); the server's every deployment. One deleted meanwhile is left out.</summary>
    private async Task<IReadOnlyList<Deployment>> ServedAsync(ReplicaIdentity me, CancellationToken ct)
    {
        if (me.Deployment is null)
        {
            return await deployments.ListAsync(ct);
        }
        var served = new List<Deployment>();
        foreach (var name in traffic.Deployments.Append(me.Deployment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            try
            {
                served.Add(await deployments.GetAsync(name, ct));
            }
            catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
            {
            }
        }
        return served;
    }
}
