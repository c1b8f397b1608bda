using System.Collections.Concurrent;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>
/// This process's scoring traffic per deployment and route since it started: requests, errors and latency buckets, counted
/// lock-free on the request path and read by the replica heartbeat (<see cref="ReplicaHeartbeat"/>).
/// </summary>
public sealed class ServingTraffic
{
    private readonly ConcurrentDictionary<(string Deployment, string Route), Counters> _routes = new();

    /// <summary>Counts one request a route answered: whether it failed, and how long it took.</summary>
    public void Record(string deployment, string route, bool error, double milliseconds)
    {
        var counters = _routes.GetOrAdd((deployment, route), _ => new Counters());
        Interlocked.Increment(ref counters.Requests);
        if (error)
        {
            Interlocked.Increment(ref counters.Errors);
        }
        Interlocked.Add(ref counters.LatencyMicros, (long)(milliseconds * 1000));
        Interlocked.Increment(ref counters.Buckets[RouteTraffic.Bucket(milliseconds)]);
    }

    /// <summary>A route's traffic so far (<see cref="RouteTraffic.None"/> when it has had none).</summary>
    public RouteTraffic Read(string deployment, string route) => _routes.TryGetValue((deployment, route), out var c)
        ? new RouteTraffic(Interlocked.Read(ref c.Requests), Interlocked.Read(ref c.Errors), Interlocked.Read(ref c.LatencyMicros) / 1000.0,
            [.. c.Buckets.Select((_, i) => Interlocked.Read(ref c.Buckets[i]))])
        : RouteTraffic.None;

    /// <summary>The deployments that have had traffic here.</summary>
    public IReadOnlyCollection<string> Deployments => [.. _routes.Keys.Select(k => k.Deployment).Distinct(StringComparer.Ordinal)];

    private sealed class Counters
    {
        public long Requests;
        public long Errors;
        public long LatencyMicros;
        public readonly long[] Buckets = new long[RouteTraffic.BoundsMs.Count + 1];
    }
}
