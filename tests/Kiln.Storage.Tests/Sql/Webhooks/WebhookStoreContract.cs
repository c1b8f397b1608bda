using Kiln.Core.Registry;
using Kiln.Core.Webhooks;

// The webhook outbox's part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    [Fact]
    public async Task Webhook_events_enter_the_outbox_with_the_change_are_claimed_once_per_lease_and_retried()
    {
        var hooks = Metadata.Webhooks;
        await hooks.AddAsync(new Webhook("all", "http://127.0.0.1:9/all", ["*"], "s1", null, Now(), "ana"));
        await hooks.AddAsync(new Webhook("aliases", "http://127.0.0.1:9/aliases", [WebhookEvents.AliasMoved], "s2", "hooked", Now(), "ana"));
        await Metadata.Registry.CreateModelAsync("hooked", null, new Dictionary<string, string>(), Now());
        await Metadata.Registry.CreateVersionAsync(new NewModelVersion("hooked", "runs:/r/model", "r", null, null, "ana", new Dictionary<string, string>()), Now());
        await Metadata.Registry.SetAliasAsync("hooked", "champion", 1, new AliasChange("ana", "set", null), Now());
        await Metadata.Registry.CreateModelAsync("other", null, new Dictionary<string, string>(), Now());
        await Metadata.Registry.CreateVersionAsync(new NewModelVersion("other", "runs:/r/model", "r", null, null, "ana", new Dictionary<string, string>()), Now());
        await Metadata.Registry.SetAliasAsync("other", "champion", 1, new AliasChange("ana", "set", null), Now());

        var queued = await hooks.DeliveriesAsync(null, 100);
        // "all": 2 versions + 2 alias moves; "aliases": only hooked's alias move
        Assert.Equal(4, queued.Count(d => d.WebhookId == "all"));
        var mine = Assert.Single(queued, d => d.WebhookId == "aliases");
        Assert.Equal(WebhookEvents.AliasMoved, mine.Event);
        Assert.Contains("\"model\":\"hooked\"", mine.Payload);

        var now = Now() + 1000;
        var claimed = await hooks.ClaimDueAsync(now, 100, 60_000);
        Assert.Equal(5, claimed.Count);
        await using var second = await OpenSecondAsync();
        Assert.Empty(await second.Webhooks.ClaimDueAsync(now, 100, 60_000)); // leased to the first

        await hooks.RecordAttemptAsync(mine.Id, now, 503, "HTTP 503", delivered: false, nextAttemptAt: now + 5000);
        var retry = await second.Webhooks.ClaimDueAsync(now + 5000, 100, 60_000);
        Assert.Equal(mine.Id, Assert.Single(retry).Delivery.Id);
        await second.Webhooks.RecordAttemptAsync(mine.Id, now + 5000, 204, null, delivered: true, nextAttemptAt: null);
        var done = (await hooks.DeliveriesAsync("aliases", 10)).Single();
        Assert.Equal((2, 204, true), (done.Attempts, done.LastStatus, done.DeliveredAt is not null));
        Assert.Empty(await hooks.ClaimDueAsync(now + 120_000, 100, 60_000).ContinueWith(t => t.Result.Where(c => c.Delivery.Id == mine.Id).ToList()));

        await hooks.DeleteAsync("aliases");
        Assert.Empty(await hooks.DeliveriesAsync("aliases", 10));
    }
}
