using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Core.Webhooks;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Monitoring.Alerts;

/// <summary>Rules over windows on a real SQLite store: N of M, one count per window, cooldown, the lifecycle and the outbox.</summary>
public sealed class AlertServiceTests : KilnHostTest
{
    private AlertService Alerts => Host.Get<AlertService>();

    private static MonitorSnapshot Window(double driftShare, int rows = 500, IReadOnlyDictionary<string, double>? estimated = null) => new(
        new DeploymentDrift("loan", "champion", "models:/loan@champion", 0, 1, rows, new DriftReport([], driftShare, 0.5, [])), [],
        new PerformanceSummary("binary", 0, new Dictionary<string, double>(), estimated ?? new Dictionary<string, double>(),
            new Dictionary<string, double> { ["accuracy"] = 0.9 }, 0.4), 3, 9);

    private const string Rules = """
        rules:
          - name: loan-drift
            deployment: loan
            when: drift_share >= 0.5
            for: 2 of 3
            cooldown: 1h
            severity: critical
            actions: [webhook, log, {trigger: pipeline retrain-loan}]
          - name: accuracy-drop
            when: drop.accuracy > 0.1
          - name: other
            deployment: fraud
            when: rows > 0
        """;

    [Fact]
    public async Task An_alert_fires_after_N_of_M_windows_counts_each_window_once_resolves_and_cools_down()
    {
        Assert.Equal(3, (await Alerts.ApplyAsync(Rules, "ana", prune: false)).Count);
        await Host.Get<IWebhookStore>().AddAsync(new Webhook("h", "http://127.0.0.1:9/", [WebhookEvents.AlertFired, WebhookEvents.AlertResolved], "s", null, 0, "ana"));

        Assert.Empty(await Alerts.EvaluateAsync(Window(0.6), 1_000)); // 1 of 1 breached: needs 2
        Assert.Empty(await Alerts.EvaluateAsync(Window(0.6), 1_000)); // the same window after a restart: not counted again
        var fired = Assert.Single(await Alerts.EvaluateAsync(Window(0.7), 2_000));
        Assert.Equal(("fired", "loan-drift", "critical", 0.7), (fired.Change, fired.Alert.Rule, fired.Alert.Severity, fired.Alert.Value));
        Assert.Contains("triggers pipeline retrain-loan", fired.Alert.Message, StringComparison.Ordinal);
        Assert.Empty(await Alerts.EvaluateAsync(Window(0.9), 3_000)); // already firing
        Assert.Empty(await Alerts.EvaluateAsync(Window(0.1), 4_000)); // 2 of the last 3 still breached
        var resolved = Assert.Single(await Alerts.EvaluateAsync(Window(0.1), 5_000));
        Assert.Equal(("resolved", fired.Alert.Id), (resolved.Change, resolved.Alert.Id));
        Assert.Empty(await Alerts.EvaluateAsync(Window(0.8), 6_000));
        Assert.Empty(await Alerts.EvaluateAsync(Window(0.8), 7_000)); // holds again, but within the hour's cooldown

        var store = Host.Get<IAlertStore>();
        Assert.Equal([AlertStates.Resolved], (await store.ListAsync(null, "loan", 10)).Select(a => a.State));
        var events = await Host.Get<IWebhookStore>().DeliveriesAsync("h", 10);
        Assert.Equal([WebhookEvents.AlertResolved, WebhookEvents.AlertFired], events.Select(e => e.Event));
        Assert.Contains($"\"alert_id\":{fired.Alert.Id}", events[1].Payload, StringComparison.Ordinal);
        Assert.Contains("\"trigger\":{\"pipeline\":\"retrain-loan\"}", events[1].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_estimated_drop_against_the_baseline_fires_only_the_rules_watching_the_deployment()
    {
        await Alerts.ApplyAsync(Rules, "ana", prune: false);
        Assert.Empty(await Alerts.EvaluateAsync(Window(0, estimated: new Dictionary<string, double> { ["accuracy"] = 0.85 }), 1_000));
        var change = Assert.Single(await Alerts.EvaluateAsync(Window(0, estimated: new Dictionary<string, double> { ["accuracy"] = 0.7 }), 2_000));
        Assert.Equal("accuracy-drop", change.Alert.Rule);
        Assert.Equal(0.2, change.Alert.Value, 9);
        Assert.Empty(await Host.Get<IAlertStore>().ListAsync(null, "fraud", 10)); // 'other' watches fraud only
    }

    [Fact]
    public async Task Applying_again_versions_only_changed_rules_and_prune_deletes_the_rest()
    {
        await Alerts.ApplyAsync(Rules, "ana", prune: false);
        var saved = await Alerts.ApplyAsync("rules:\n  - name: loan-drift\n    when: drift_share >= 0.4\n  - name: other\n    deployment: fraud\n    when: rows > 0\n", "bo", prune: true);
        Assert.Equal(["loan-drift/2/False", "accuracy-drop/2/True"], saved.Select(v => $"{v.Name}/{v.Version}/{v.Deleted}"));
        Assert.Equal(["loan-drift", "other"], (await Alerts.RulesAsync()).Select(r => r.Rule.Name));
    }

    [Theory]
    [InlineData("rules:\n  - name: x\n    when: drift_share >= lots\n", "'lots' in 'when: drift_share >= lots' is not a number")]
    [InlineData("rules:\n  - name: x\n    when: accuracy < 0.8\n", "unknown metric 'accuracy'")]
    [InlineData("rules:\n  - name: x\n    when: rows > 1\n    for: 3 of 2\n", "must read N of M")]
    [InlineData("rules:\n  - name: x\n    when: rows > 1\n    severity: loud\n", "severity 'loud' is not one of info, warning, critical")]
    [InlineData("rules:\n  - name: x\n    when: rows > 1\n    actions: [email]\n", "unknown action 'email'")]
    [InlineData("rules:\n  - name: x\n    when: rows > 1\n    wen: rows > 2\n", "unknown field 'wen'")]
    [InlineData("rules:\n  - name: x\n    when: rows > 1\n  - name: x\n    when: rows > 2\n", "Two rules are named 'x'")]
    [InlineData("rules: [", "not valid YAML")]
    public async Task A_bad_rule_is_a_clear_error_and_nothing_is_stored(string yaml, string message)
    {
        var error = await Assert.ThrowsAsync<KilnException>(() => Alerts.ApplyAsync(yaml, "ana", prune: false));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(await Alerts.RulesAsync());
    }
}
