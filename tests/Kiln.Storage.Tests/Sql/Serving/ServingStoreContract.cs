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
}
