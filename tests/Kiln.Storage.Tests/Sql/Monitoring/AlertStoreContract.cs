using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Core.Webhooks;

// Monitoring's part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    [Fact]
    public async Task Alert_rules_get_a_version_per_change_and_a_deleting_version()
    {
        var alerts = Metadata.Alerts;
        var t = Now();
        Assert.Equal(["a/1", "b/1"], (await alerts.SaveRulesAsync([("a", "when: rows > 1\n"), ("b", "when: rows > 2\n")], [], "ana", t)).Select(v => $"{v.Name}/{v.Version}"));
        Assert.Empty(await alerts.SaveRulesAsync([("a", "when: rows > 1\n")], [], "bo", t + 1)); // unchanged
        Assert.Equal(["a/2", "b/2"], (await alerts.SaveRulesAsync([("a", "when: rows > 5\n")], ["b"], "bo", t + 2)).Select(v => $"{v.Name}/{v.Version}"));
        var rules = await alerts.ListRulesAsync();
        Assert.Equal(("a", 2, "when: rows > 5\n", "bo"), (Assert.Single(rules).Name, rules[0].Version, rules[0].Yaml, rules[0].UserId));
        Assert.Equal([(2, true), (1, false)], (await alerts.RuleHistoryAsync("b")).Select(v => (v.Version, v.Deleted)));
        Assert.Empty(await alerts.SaveRulesAsync([], ["b", "never"], "cy", t + 3)); // already gone, never was
    }

    [Fact]
    public async Task A_window_counts_once_and_an_alert_goes_firing_acknowledged_resolved_with_its_webhook_events()
    {
        var alerts = Metadata.Alerts;
        var t = Now();
        Assert.True(await alerts.RecordWindowAsync("drift", "loan", new AlertWindow(60_000, true, 0.6)));
        Assert.False(await alerts.RecordWindowAsync("drift", "loan", new AlertWindow(60_000, false, 0.1))); // the same window again: kept as first judged
        Assert.True(await alerts.RecordWindowAsync("drift", "loan", new AlertWindow(120_000, false, null)));
        Assert.Equal([(120_000L, false, (double?)null), (60_000L, true, 0.6)], (await alerts.RecentWindowsAsync("drift", "loan", 5)).Select(w => (w.WindowEnd, w.Breached, w.Value)));

        await Metadata.Webhooks.AddAsync(new Webhook("h1", "http://127.0.0.1:9/hook", [WebhookEvents.AlertFired, WebhookEvents.AlertResolved], "s", null, t, "ana"));
        var fired = await alerts.FireAsync(new Alert(0, "drift", 1, "loan", "critical", AlertStates.Firing, 0.6, "drift_share >= 0.3", t, null, null, null),
            WebhookEvents.AlertFired, "{\"alert_id\": {id}}");
        Assert.True(fired.Id > 0);
        var silent = await alerts.FireAsync(new Alert(0, "quiet", 1, "loan", "info", AlertStates.Firing, 1, "m", t, null, null, null), null, "{}");
        Assert.Equal(fired.Id, (await alerts.LatestAsync("drift", "loan"))!.Id);

        var acked = await alerts.AcknowledgeAsync(fired.Id, "bo", t + 1);
        Assert.Equal((AlertStates.Acknowledged, "bo"), (acked.State, acked.AcknowledgedBy));
        await alerts.ResolveAsync(fired.Id, t + 2, WebhookEvents.AlertResolved, "{\"resolved\": true}");
        await alerts.ResolveAsync(fired.Id, t + 3, WebhookEvents.AlertResolved, "{\"again\": true}"); // already resolved: no second event
        Assert.Equal(ErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<KilnException>(() => alerts.AcknowledgeAsync(fired.Id, "cy", t + 4))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => alerts.AcknowledgeAsync(999_999, "cy", t + 4))).Code);

        Assert.Equal([silent.Id], (await alerts.ListAsync(AlertStates.Firing, "loan", 10)).Select(a => a.Id));
        var resolved = Assert.Single(await alerts.ListAsync(AlertStates.Resolved, null, 10));
        Assert.Equal((t + 2, "bo"), (resolved.ResolvedAt, resolved.AcknowledgedBy));
        var events = await Metadata.Webhooks.DeliveriesAsync("h1", 10);
        Assert.Equal([$"{WebhookEvents.AlertResolved} {{\"resolved\": true}}", $"{WebhookEvents.AlertFired} {{\"alert_id\": {fired.Id}}}"],
            events.Select(e => $"{e.Event} {e.Payload}"));
    }
    [Fact]
    public async Task A_monitoring_slice_is_stored_once_and_read_back_in_its_window()
    {
        var slices = Metadata.Slices;
        Assert.Null(await slices.LastEndAsync("loan", "champion", 60_000));
        Assert.True(await slices.SaveAsync(new MonitorSlice("loan", "champion", 0, 60_000, 3, "{\"a\":1}")));
        Assert.False(await slices.SaveAsync(new MonitorSlice("loan", "champion", 0, 60_000, 9, "{\"b\":2}"))); // the same minute again: kept as first stored
        Assert.True(await slices.SaveAsync(new MonitorSlice("loan", "champion", 60_000, 120_000, 0, "{}")));
        Assert.True(await slices.SaveAsync(new MonitorSlice("loan", "canary", 60_000, 120_000, 1, "{}")));
        Assert.True(await slices.SaveAsync(new MonitorSlice("loan", "champion", 0, 3_600_000, 3, "{\"hour\":1}"))); // a roll-up ending elsewhere
        Assert.True(await slices.SaveAsync(new MonitorSlice("loan", "champion", 3_540_000, 3_600_000, 0, "{}"))); // and its last minute: same end, other start
        Assert.Equal(3_600_000, await slices.LastEndAsync("loan", "champion", 60_000));
        Assert.Equal(3_600_000, await slices.LastEndAsync("loan", "champion", 3_600_000));
        Assert.Null(await slices.LastEndAsync("loan", "champion", 1_000));
        Assert.Equal([(0L, 3, "{\"a\":1}"), (60_000L, 0, "{}")], (await slices.ReadAsync("loan", "champion", 0, 120_000, 60_000)).Select(x => (x.Start, x.Rows, x.Summary)));
        Assert.Equal([60_000L], (await slices.ReadAsync("loan", "champion", 30_000, 200_000, 60_000)).Select(x => x.Start)); // only slices wholly inside
        Assert.Equal(["{\"hour\":1}"], (await slices.ReadAsync("loan", "champion", 0, 4_000_000, 3_600_000)).Select(x => x.Summary));
    }
}
