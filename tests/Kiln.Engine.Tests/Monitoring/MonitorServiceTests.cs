using Kiln.Core.Serving;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Monitoring;

/// <summary>The error rate a snapshot reports comes from the live replicas' traffic counters in the store.</summary>
public sealed class MonitorServiceTests : KilnHostTest
{
    private static RouteTraffic Traffic(long requests, long errors) =>
        new(requests, errors, requests * 2.0, [.. Enumerable.Range(0, RouteTraffic.BoundsMs.Count + 1).Select(i => i == 2 ? requests : 0L)]);

    [Fact]
    public async Task The_error_rate_sums_the_routes_live_replicas_and_leaves_out_stale_ones_and_other_routes()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        ReplicaStatus Replica(string id, long seen, long requests, long errors) => new("loan", id, "pod", now - 60_000, seen, 30,
            [new("champion", "models:/loan@champion", "loan", 1, now - 50_000, null, Traffic(requests * 10, errors * 10), Traffic(requests, errors)),
             new("canary", "models:/loan/2", "loan", 2, now - 50_000, null, Traffic(500, 500), Traffic(50, 50))]);
        await Host.Get<IReplicaStore>().UpsertAsync([
            Replica("a:1/1", now - 1_000, 60, 3),
            Replica("b:1/2", now - 5_000, 40, 4),
            Replica("old:1/3", now - (long)MonitorService.LiveReplica.TotalMilliseconds - 60_000, 1_000, 1_000), // stopped long ago
        ]);

        Assert.Equal((100L, 7L), await Host.Get<MonitorService>().RecentTrafficAsync("loan", "champion"));
        Assert.Equal((0L, 0L), await Host.Get<MonitorService>().RecentTrafficAsync("fraud", "champion"));

        var condition = AlertCondition.Parse("error_rate > 0.05", "errors");
        var snapshot = new MonitorSnapshot(new DeploymentDrift("loan", "champion", "m", 0, 1, 0, new DriftReport([], 0, 0.5, [])), [],
            new PerformanceSummary("binary", 0, new Dictionary<string, double>(), new Dictionary<string, double>(), new Dictionary<string, double>(), null), ErrorRate: 0.07);
        Assert.True(condition.Breaches(condition.Value(snapshot)));
        Assert.False(condition.Breaches(condition.Value(snapshot with { ErrorRate = null }))); // no requests: no value, no breach
    }
}
