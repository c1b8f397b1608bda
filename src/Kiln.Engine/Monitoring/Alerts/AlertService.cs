using System.Text.Json;
using Kiln.Core.Monitoring;

namespace Kiln.Engine.Monitoring.Alerts;

/// <summary>What one evaluation changed.</summary>
/// <param name="Alert">The alert that fired or resolved.</param>
/// <param name="Change">"fired" or "resolved".</param>
/// <param name="Log">Whether the rule asks for a log line (the host writes it).</param>
public sealed record AlertChange(Alert Alert, string Change, bool Log);

/// <summary>
/// Alert rules and their lifecycle: <see cref="ApplyAsync"/> stores rules (a new version per changed rule),
/// <see cref="EvaluateAsync"/> judges a monitored window for every rule that watches its deployment (each window once,
/// across restarts), fires an alert when the condition held in N of the last M windows and no alert is open or cooling
/// down, and resolves the open one when it stops holding. Firing and resolving queue the webhook events
/// <c>alert.fired</c> / <c>alert.resolved</c> (signed, retried from the outbox) for rules with the webhook action; a
/// <c>trigger: pipeline NAME</c> action is recorded with the alert and in the event for the pipeline runner.
/// </summary>
public sealed class AlertService(IAlertStore store, TimeProvider time)
{
    /// <summary>The webhook event of a firing alert.</summary>
    public const string Fired = Core.Webhooks.WebhookEvents.AlertFired;

    /// <summary>The webhook event of a resolved alert.</summary>
    public const string Resolved = Core.Webhooks.WebhookEvents.AlertResolved;

    /// <summary>Parses every rule of <paramref name="yaml"/> (all checked before any is stored) and stores the changed ones;
    /// with <paramref name="prune"/>, rules not in the file are deleted.</summary>
    public async Task<IReadOnlyList<AlertRuleVersion>> ApplyAsync(string yaml, string userId, bool prune, CancellationToken ct = default)
    {
        var rules = AlertRule.ParseAll(yaml);
        var existing = await store.ListRulesAsync(ct);
        var deleted = prune ? existing.Select(e => e.Name).Where(n => rules.All(r => r.Name != n)).ToList() : [];
        return await store.SaveRulesAsync([.. rules.Select(r => (r.Name, r.Yaml))], deleted, userId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }

    /// <summary>The rules in force.</summary>
    public async Task<IReadOnlyList<(AlertRuleVersion Stored, AlertRule Rule)>> RulesAsync(CancellationToken ct = default) =>
        [.. (await store.ListRulesAsync(ct)).Select(v => (v, AlertRule.Parse(v.Yaml)))];

    /// <summary>Judges <paramref name="snapshot"/>, the window ending at <paramref name="windowEnd"/> (aligned to the monitoring
    /// interval), for every rule that watches its deployment.</summary>
    public async Task<IReadOnlyList<AlertChange>> EvaluateAsync(MonitorSnapshot snapshot, long windowEnd, CancellationToken ct = default)
    {
        var deployment = snapshot.Drift.Deployment;
        var changes = new List<AlertChange>();
        foreach (var (stored, rule) in await RulesAsync(ct))
        {
            if (!rule.Watches(deployment))
            {
                continue;
            }
            var value = rule.Condition.Value(snapshot);
            var breached = rule.Condition.Breaches(value);
            if (!await store.RecordWindowAsync(rule.Name, deployment, new AlertWindow(windowEnd, breached, value), ct))
            {
                continue; // this window was judged before (e.g. before a restart): it counts once
            }
            var recent = await store.RecentWindowsAsync(rule.Name, deployment, rule.Of, ct);
            var holds = recent.Count(w => w.Breached) >= rule.Need;
            var latest = await store.LatestAsync(rule.Name, deployment, ct);
            var open = latest is { State: AlertStates.Firing or AlertStates.Acknowledged };
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (holds && !open)
            {
                if (latest is not null && (latest.ResolvedAt ?? latest.FiredAt) + (long)rule.Cooldown.TotalMilliseconds > now)
                {
                    continue; // cooling down after the last alert
                }
                var message = $"{rule.Condition} held in {recent.Count(w => w.Breached)} of the last {recent.Count} windows of {deployment} (now {Format(value)})"
                    + (rule.Pipeline is { } p ? $"; triggers pipeline {p}" : "");
                var fired = await store.FireAsync(new Alert(0, rule.Name, stored.Version, deployment, rule.Severity, AlertStates.Firing, value ?? double.NaN, message, now,
                    null, null, null), rule.Webhook ? Fired : null, Payload(Fired, rule, deployment, value, message, now, null), ct);
                changes.Add(new AlertChange(fired, "fired", rule.Log));
            }
            else if (!holds && open && !breached)
            {
                var message = $"{rule.Condition} no longer holds for {deployment} (now {Format(value)})";
                await store.ResolveAsync(latest!.Id, now, rule.Webhook ? Resolved : null, Payload(Resolved, rule, deployment, value, message, now, latest.Id), ct);
                changes.Add(new AlertChange(latest with { State = AlertStates.Resolved, ResolvedAt = now, Message = message }, "resolved", rule.Log));
            }
        }
        return changes;
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "no value";

    /// <summary>The webhook body: the event, the alert (its id, or <c>{id}</c> for the store to fill in) and what to trigger.</summary>
    private static string Payload(string eventName, AlertRule rule, string deployment, double? value, string message, long time, long? id)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event"] = eventName,
            ["alert_id"] = "{id}",
            ["rule"] = rule.Name,
            ["deployment"] = deployment,
            ["severity"] = rule.Severity,
            ["condition"] = rule.Condition.ToString(),
            ["value"] = value is { } v && double.IsFinite(v) ? v : null,
            ["message"] = message,
            ["time"] = time,
            ["trigger"] = rule.Pipeline is { } p ? new Dictionary<string, string> { ["pipeline"] = p } : null,
        });
        var quoted = "\"{id}\"";
        return id is { } known ? body.Replace(quoted, known.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : body.Replace(quoted, "{id}", StringComparison.Ordinal);
    }
}
