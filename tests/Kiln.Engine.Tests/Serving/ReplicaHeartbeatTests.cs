using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Engine.Tests.Serving;

/// <summary>The heartbeat on a fake clock: what it writes per route (version loaded, failures, traffic) and how its recent window slides.</summary>
public sealed class ReplicaHeartbeatTests : KilnHostTest
{
    private static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);

    protected override void Configure(IServiceCollection services) => services.AddSingleton<TimeProvider>(_clock);

    private static long Ms(int seconds) => Start.AddSeconds(seconds).ToUnixTimeMilliseconds();

    private void Serve(int requests, int errors = 0, double milliseconds = 3)
    {
        var traffic = Host.Get<ServingTraffic>();
        for (var i = 0; i < requests; i++)
        {
            traffic.Record("loan", "champion", i < errors, milliseconds);
        }
    }

    [Fact]
    public async Task Each_beat_writes_the_version_each_route_serves_its_failures_and_its_traffic_over_a_sliding_window()
    {
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(LoanData.Write(Dir, "train.csv", 300, 5), "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "2" }));
        var registry = Host.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await Host.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false), new("next", "models:/loan/7", 0, true)], "ana");
        var models = Host.Get<ServedModels>();
        await models.GetAsync("models:/loan@champion");
        models.Failures["models:/loan/7"] = "2030-01-02 03:04:05Z: the package of loan version 7 is corrupt"; // as a failed load leaves it

        var heartbeat = Host.Get<ReplicaHeartbeat>();
        var me = new ReplicaIdentity("pod-a:8080/1", "pod-a", Ms(0), null);
        Serve(10, errors: 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var row = Assert.Single(await heartbeat.BeatAsync(me));
        Assert.Equal(("loan", "pod-a:8080/1", "pod-a", Ms(0), Ms(10), 10.0), (row.Deployment, row.Replica, row.Host, row.StartedAt, row.LastSeen, row.WindowSeconds));
        var (champion, next) = (row.Routes[0], row.Routes[1]);
        Assert.Equal(("champion", "loan", 1, (string?)null), (champion.Route, champion.ModelName, champion.ModelVersion, champion.LoadFailure));
        Assert.NotNull(champion.LoadedAt);
        Assert.Equal((10L, 1L, 10L), (champion.Total.Requests, champion.Total.Errors, champion.Recent.Requests));
        Assert.Equal(10, champion.Recent.Buckets[RouteTraffic.Bucket(3)]);
        Assert.Equal(("next", (int?)null, 0L), (next.Route, next.ModelVersion, next.Total.Requests));
        Assert.Equal(models.Failures["models:/loan/7"], next.LoadFailure);
        Assert.Equivalent(row, Assert.Single(await Host.Get<IReplicaStore>().ListAsync("loan")));

        // the window starts at the process's start until a snapshot is at least 30 s old; then it slides
        Serve(20);
        _clock.Advance(TimeSpan.FromSeconds(10));
        row = Assert.Single(await heartbeat.BeatAsync(me));
        Assert.Equal((20.0, 30L, 30L), (row.WindowSeconds, row.Routes[0].Recent.Requests, row.Routes[0].Total.Requests));
        Serve(6, milliseconds: 100);
        _clock.Advance(TimeSpan.FromSeconds(30));
        row = Assert.Single(await heartbeat.BeatAsync(me));
        Assert.Equal((30.0, 6L, 36L), (row.WindowSeconds, row.Routes[0].Recent.Requests, row.Routes[0].Total.Requests));

        // across replicas: rates and windows add up, a stale replica counts only in totals
        var other = row with { Replica = "pod-b:8080/9", LastSeen = Ms(50) - 31_000 };
        var rates = ReplicaReport.Routes(["champion", "next"], [row, other], Ms(50));
        Assert.Equal(6 / 30.0, rates[0].RequestsPerSecond, 9);
        Assert.Equal((6L, 72L), (rates[0].Recent.Requests, rates[0].Total.Requests));
        Assert.InRange(rates[0].P50Ms!.Value, 64, 128);
        Assert.Equal(0, rates[1].RequestsPerSecond);
        Assert.False(ReplicaReport.IsLive(other, Ms(50)));

        // a replica of one deployment beats for it alone, and for none once it is deleted
        var replica = new ReplicaIdentity("pod-c:8080/3", "pod-c", Ms(0), "loan");
        Assert.Equal(["loan"], (await Host.Get<ReplicaHeartbeat>().BeatAsync(replica)).Select(r => r.Deployment));
        await Host.Get<IDeploymentStore>().DeleteAsync("loan");
        Assert.Empty(await heartbeat.BeatAsync(replica));
        Assert.Empty(await Host.Get<IReplicaStore>().ListAsync());
    }
}
