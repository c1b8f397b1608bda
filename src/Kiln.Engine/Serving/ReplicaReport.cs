using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>A route's traffic now, summed over the live replicas' recent windows.</summary>
/// <param name="Route">The route.</param>
/// <param name="RequestsPerSecond">Requests per second.</param>
/// <param name="Recent">The live replicas' recent traffic, added up (errors, latency buckets).</param>
/// <param name="Total">Every listed replica's traffic since it started, added up.</param>
public sealed record RouteRate(string Route, double RequestsPerSecond, RouteTraffic Recent, RouteTraffic Total)
{
    /// <summary>The median latency of the recent requests, in milliseconds.</summary>
    public double? P50Ms => Recent.PercentileMs(0.5);

    /// <summary>The 95th percentile latency of the recent requests, in milliseconds.</summary>
    public double? P95Ms => Recent.PercentileMs(0.95);
}

/// <summary>Reads replica heartbeats: which replicas are live, and each route's rate, errors and latency across them.</summary>
public static class ReplicaReport
{
    /// <summary>A replica whose last heartbeat is older than this is stale (stopped, or cut off from the store).</summary>
    public static TimeSpan LiveWithin { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a replica's last heartbeat is recent at <paramref name="now"/> (Unix milliseconds).</summary>
    public static bool IsLive(ReplicaStatus replica, long now) => now - replica.LastSeen <= (long)LiveWithin.TotalMilliseconds;

    /// <summary>Each route of <paramref name="routes"/> (in order) with its live traffic across <paramref name="replicas"/> (stale ones count only in totals).</summary>
    public static IReadOnlyList<RouteRate> Routes(IEnumerable<string> routes, IReadOnlyList<ReplicaStatus> replicas, long now) =>
        [.. routes.Select(route =>
        {
            var (rate, recent, total) = (0.0, RouteTraffic.None, RouteTraffic.None);
            foreach (var replica in replicas)
            {
                foreach (var r in replica.Routes.Where(r => r.Route == route))
                {
                    total = total.Plus(r.Total);
                    if (IsLive(replica, now))
                    {
                        recent = recent.Plus(r.Recent);
                        rate += r.Recent.Requests / replica.WindowSeconds;
                    }
                }
            }
            return new RouteRate(route, rate, recent, total);
        })];
}
