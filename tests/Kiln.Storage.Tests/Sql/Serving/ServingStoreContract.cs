using Kiln.Core.Errors;
using Kiln.Core.Serving;

// Serving's part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    [Fact]
    public async Task Deployments_keep_every_version_and_refuse_a_stale_update()
    {
        var store = Metadata.Deployments;
        var first = await store.SaveAsync("loan", [new("champion", "models:/loan@champion", 100, false)], 0, "ana", Now());
        Assert.Equal(1, first.Version);
        Assert.Equal(ErrorCode.ResourceAlreadyExists, (await Assert.ThrowsAsync<KilnException>(() => store.SaveAsync("loan", first.Routes, 0, "bo", Now()))).Code);
        await store.SaveAsync("loan", [new("champion", "models:/loan@champion", 90, false), new("next", "models:/loan/2", 0, true)], 1, "bo", Now());
        Assert.Equal(ErrorCode.ResourceConflict, (await Assert.ThrowsAsync<KilnException>(() => store.SaveAsync("loan", first.Routes, 1, "cy", Now()))).Code);
        var current = await store.GetAsync("loan");
        Assert.Equal((2, 2, true), (current.Version, current.Routes.Count, current.Routes[1].Shadow));
        Assert.Equal([2, 1], (await store.HistoryAsync("loan")).Select(d => d.Version));
        await store.DeleteAsync("loan");
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task The_prediction_log_appends_batches_and_joins_labels_by_request_id()
    {
        var log = Metadata.Predictions;
        var t = Now();
        await log.AppendAsync([
            new("r1", "loan", "champion", "loan", 3, t, 1.5, "{\"income\":0.9}", "{\"prediction\":\"1\",\"probability\":0.9}", false),
            new("r1", "loan", "next", "loan", 4, t, 1.7, "{\"income\":0.9}", "{\"prediction\":\"0\",\"probability\":0.4}", true),
            new("r2", "loan", "champion", null, null, t + 1, 0.5, "{\"income\":0.1}", "{\"prediction\":\"0\",\"probability\":0.1}", false),
        ]);
        Assert.Equal(["nope"], await log.AddLabelsAsync([("r1", "1"), ("nope", "0")], t + 5));
        var read = await log.ReadAsync("loan", t, 100);
        Assert.Equal(["r1/champion/1/3", "r1/next/1/4", "r2/champion//"], read.Select(r => $"{r.RequestId}/{r.Route}/{r.Label}/{r.ModelVersion}").Order(StringComparer.Ordinal));
        Assert.Equal(1.5, read.Single(r => r.Route == "champion" && r.RequestId == "r1").LatencyMs);
        Assert.Empty(await log.ReadAsync("other", 0, 100));
    }

    [Fact]
    public async Task A_monitoring_window_reads_the_newest_rows_of_one_answering_route_oldest_first()
    {
        var log = Metadata.Predictions;
        var t = Now();
        await log.AppendAsync([
            .. Enumerable.Range(0, 5).Select(i => new PredictionRecord($"c{i}", "loan", "champion", null, null, t + i, 1, "{}", "0.5", false)),
            new("c2", "loan", "next", null, null, t + 2, 1, "{}", "0.5", true), // a shadow's copy
            new("k9", "loan", "canary", null, null, t + 9, 1, "{}", "0.5", false),
            new("f1", "fraud", "champion", null, null, t + 9, 1, "{}", "0.5", false),
        ]);
        Assert.Equal(["c2", "c3", "c4"], (await log.ReadLatestAsync("loan", "champion", t, 3)).Select(r => r.RequestId));
        Assert.Equal(["c3", "c4"], (await log.ReadLatestAsync("loan", "champion", t + 3, 10)).Select(r => r.RequestId));
        Assert.Empty(await log.ReadLatestAsync("loan", "next", t, 10)); // shadows are not a route's answers
    }

    [Fact]
    public async Task Replica_heartbeats_replace_their_row_list_newest_first_and_are_pruned_and_deleted_with_their_deployment()
    {
        var replicas = Metadata.Replicas;
        var t = Now();
        var traffic = new RouteTraffic(10, 1, 42.5, [.. Enumerable.Range(0, RouteTraffic.BoundsMs.Count + 1).Select(i => i == 3 ? 10L : 0L)]);
        ReplicaStatus Beat(string replica, long seen, long requests) => new("loan", replica, "pod-a", t, seen, 30,
            [new("champion", "models:/loan@champion", "loan", 2, t - 5, null, traffic with { Requests = requests }, traffic), new("next", "models:/loan/3", null, null, null, "no files", RouteTraffic.None, RouteTraffic.None)]);
        await replicas.UpsertAsync([Beat("pod-a:8080/1", t + 1, 10), Beat("pod-b:8080/7", t + 2, 10) with { Deployment = "fraud" }]);
        await replicas.UpsertAsync([Beat("pod-a:8080/1", t + 3, 25)]); // the same replica again: its row is replaced
        await replicas.UpsertAsync([Beat("pod-c:8080/9", t - 5_000_000, 1)]);

        var loan = await replicas.ListAsync("loan");
        Assert.Equal(["pod-a:8080/1", "pod-c:8080/9"], loan.Select(r => r.Replica));
        var a = loan[0];
        Assert.Equal((t + 3, 30.0, 25L), (a.LastSeen, a.WindowSeconds, a.Routes[0].Total.Requests));
        Assert.Equal(("loan", 2, t - 5, 42.5, 10L), (a.Routes[0].ModelName, a.Routes[0].ModelVersion, a.Routes[0].LoadedAt, a.Routes[0].Recent.LatencySumMs, a.Routes[0].Recent.Buckets[3]));
        Assert.Equal(("no files", (int?)null, 0L), (a.Routes[1].LoadFailure, a.Routes[1].ModelVersion, a.Routes[1].Total.Requests));
        Assert.Equal(3, (await replicas.ListAsync()).Count);

        Assert.Equal(1, await replicas.PruneAsync(t - 1_000_000));
        Assert.Equal(["pod-a:8080/1"], (await replicas.ListAsync("loan")).Select(r => r.Replica));

        await Metadata.Deployments.SaveAsync("loan", [new("champion", "models:/loan@champion", 100, false)], 0, "ana", Now());
        await Metadata.Deployments.DeleteAsync("loan");
        Assert.Empty(await replicas.ListAsync("loan"));
        Assert.Equal(["fraud"], (await replicas.ListAsync()).Select(r => r.Deployment));
    }
}
