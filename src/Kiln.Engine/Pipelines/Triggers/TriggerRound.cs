using System.Collections.Concurrent;
using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.Core.Pipelines;
using Kiln.Engine.Data;
using Kiln.Engine.Pipelines.Spec;
using Kiln.Engine.Registry;

namespace Kiln.Engine.Pipelines.Triggers;

/// <summary>What one trigger did in a round.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Trigger">The trigger kind (schedule, dataset, alias, alert, pipeline).</param>
/// <param name="Cause">What it saw.</param>
/// <param name="Run">The run it started (or queued), or null when the concurrency policy skipped it.</param>
public sealed record TriggerFiring(string Pipeline, string Trigger, string Cause, PipelineRun? Run);

/// <summary>
/// One pass over the stored pipelines' <c>on:</c> triggers, run every few seconds by each server. A trigger keeps a
/// watermark in the store — the next time its schedule is due, or the newest data set version, alias event, alert or
/// pipeline run it has seen ("0" for none yet) — and fires only by moving that watermark with a compare-and-set, so with many
/// servers on one store exactly one starts the run. A trigger seen for the first time records the present and fires for what
/// comes after. An alert rule's <c>{trigger: pipeline NAME}</c> action starts NAME too.
/// Each fired run records its trigger and cause; the pipeline's <c>concurrency:</c> decides what happens while a run of it
/// is active (allow another, skip, or queue it until the active one ends).
/// </summary>
/// <param name="store">Pipelines and trigger watermarks.</param>
/// <param name="pipelines">Starts runs.</param>
/// <param name="time">The clock.</param>
/// <param name="data">Data sets (null: dataset triggers never fire).</param>
/// <param name="registry">The registry (null: alias triggers never fire).</param>
/// <param name="alerts">Alerts (null: alert triggers never fire).</param>
public sealed class TriggerRound(IPipelineStore store, PipelineService pipelines, TimeProvider time, DataService? data = null, RegistryService? registry = null,
    IAlertStore? alerts = null)
{
    private readonly ConcurrentDictionary<string, PipelineSpec> _specs = new(StringComparer.Ordinal);

    /// <summary>Checks every stored pipeline's triggers once, starts what fired, and releases queued runs whose turn came.</summary>
    public async Task<IReadOnlyList<TriggerFiring>> RunAsync(CancellationToken ct)
    {
        var fired = new List<TriggerFiring>();
        foreach (var definition in await store.ListAsync(ct))
        {
            var spec = _specs.GetOrAdd(definition.Hash, _ => PipelineService.Check(definition.Yaml, definition.Name + ".yaml"));
            var marks = await store.TriggerMarksAsync(spec.Name, ct);
            if (alerts is not null)
            {
                // An alert rule's action {trigger: pipeline NAME} starts NAME, whatever its on: says.
                await CheckAsync(spec, definition, marks, "alert rule actions", PipelineTriggers.Alert, fired, ct, async () =>
                {
                    var newest = (await alerts.ListAsync(null, null, 200, ct)).OrderByDescending(a => a.Id).ToList();
                    if (newest.Count == 0)
                    {
                        return ("0", null);
                    }
                    var seen = marks.TryGetValue("alert rule actions", out var m) ? long.Parse(m, CultureInfo.InvariantCulture) : long.MaxValue;
                    foreach (var alert in newest.Where(a => a.Id > seen))
                    {
                        if (await RulePipelineAsync(alert, ct) == spec.Name)
                        {
                            return ($"{newest[0].Id:D15}", $"alert {alert.Id} ({alert.Severity}) of rule {alert.Rule} on {alert.Deployment}: {alert.Message}");
                        }
                    }
                    return ($"{newest[0].Id:D15}", null); // newer alerts, none for this pipeline: move on without firing
                });
            }
            if (spec.On is not { IsEmpty: false } on)
            {
                continue;
            }
            var now = time.GetUtcNow();
            if (on.Schedule is { } schedule && Cron.Parse(schedule).Cron is { } cron)
            {
                await CheckAsync(spec, definition, marks, $"schedule {schedule}", PipelineTriggers.Schedule, fired, ct, () =>
                {
                    // The watermark is the next due time; when it has passed, the run fires and the watermark moves to the following one.
                    var next = cron.Next(now)?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? long.MaxValue.ToString(CultureInfo.InvariantCulture);
                    return Task.FromResult<(string, string?)?>((next, $"cron {schedule} due"));
                }, due: mark => long.Parse(mark, CultureInfo.InvariantCulture) <= now.ToUnixTimeMilliseconds());
            }
            foreach (var dataset in data is null ? [] : on.Datasets)
            {
                await CheckAsync(spec, definition, marks, $"dataset {dataset}", PipelineTriggers.Dataset, fired, ct, async () =>
                {
                    var newest = (await VersionsAsync(dataset, ct)).MaxBy(v => (v.CreatedAt, v.VersionId));
                    return newest is null ? ("0", null) : ($"{newest.CreatedAt:D15}:{newest.VersionId}", $"datasets:/{dataset}/{newest.VersionId}");
                });
            }
            foreach (var alias in registry is null ? [] : on.Aliases)
            {
                var (model, name) = (alias.Split('@')[0], alias.Split('@')[1]);
                await CheckAsync(spec, definition, marks, $"alias {alias}", PipelineTriggers.Alias, fired, ct, async () =>
                {
                    var newest = (await HistoryAsync(model, name, ct)).MaxBy(e => e.Id);
                    return newest is null ? ("0", null) : ($"{newest.Id:D15}", $"models:/{model}@{name} {newest.Action} → version {newest.Version?.ToString(CultureInfo.InvariantCulture) ?? "none"} by {newest.UserId}");
                });
            }
            foreach (var deployment in alerts is null ? [] : on.Alerts)
            {
                await CheckAsync(spec, definition, marks, $"alert {deployment}", PipelineTriggers.Alert, fired, ct, async () =>
                {
                    var newest = (await alerts!.ListAsync(null, deployment, 1, ct)).MaxBy(a => a.Id);
                    return newest is null ? ("0", null) : ($"{newest.Id:D15}", $"alert {newest.Id} ({newest.Severity}) of rule {newest.Rule} on {deployment}: {newest.Message}");
                });
            }
            foreach (var upstream in on.Pipelines)
            {
                await CheckAsync(spec, definition, marks, $"pipeline {upstream}", PipelineTriggers.Pipeline, fired, ct, async () =>
                {
                    var newest = (await store.ListRunsAsync(upstream, [PipelineStatuses.Succeeded], 20, ct)).MaxBy(r => (r.FinishedAt, r.Id));
                    return newest is null ? ("0", null) : ($"{newest.FinishedAt:D15}:{newest.Id}", $"pipeline {upstream} run {newest.Id} succeeded");
                });
            }
        }
        await pipelines.ReleaseWaitingAsync(ct);
        return fired;
    }

    /// <summary>
    /// Reads the trigger's current state; on first sight records it, after that fires when it moved (or, for a schedule,
    /// when <paramref name="due"/> says the watermark's time came) and this server won the compare-and-set.
    /// </summary>
    private async Task CheckAsync(PipelineSpec spec, PipelineDefinition definition, IReadOnlyDictionary<string, string> marks, string key, string trigger, List<TriggerFiring> fired,
        CancellationToken ct, Func<Task<(string Mark, string? Cause)?>> current, Func<string, bool>? due = null)
    {
        var seen = marks.GetValueOrDefault(key);
        if (due is not null && seen is not null && !due(seen))
        {
            return;
        }
        if (await current() is not var (mark, cause))
        {
            return;
        }
        if (seen is null)
        {
            await store.AdvanceTriggerAsync(spec.Name, key, null, mark, ct); // first sight: the present is the baseline
            return;
        }
        if ((due is null && seen == mark) || !await store.AdvanceTriggerAsync(spec.Name, key, seen, mark, ct) || (cause is null && due is null))
        {
            return;
        }
        var active = (await store.ListRunsAsync(spec.Name, [PipelineStatuses.Queued, PipelineStatuses.Running, PipelineStatuses.Waiting], 1, ct)).Count > 0;
        if (active && spec.Concurrency == ConcurrencyPolicies.Skip)
        {
            fired.Add(new TriggerFiring(spec.Name, trigger, cause ?? key, null));
            return;
        }
        var run = await pipelines.StartAsync(definition.Yaml, definition.Name + ".yaml", new Dictionary<string, string>(), trigger, cause ?? key, false, $"trigger:{trigger}", ct,
            hold: active && spec.Concurrency == ConcurrencyPolicies.Queue);
        fired.Add(new TriggerFiring(spec.Name, trigger, cause ?? key, run));
    }

    private async Task<string?> RulePipelineAsync(Alert alert, CancellationToken ct)
    {
        var version = (await alerts!.RuleHistoryAsync(alert.Rule, ct)).FirstOrDefault(v => v.Version == alert.RuleVersion);
        try
        {
            return version is null ? null : Monitoring.Alerts.AlertRule.Parse(version.Yaml).Pipeline;
        }
        catch (Core.Errors.KilnException)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<Core.Data.DatasetVersion>> VersionsAsync(string dataset, CancellationToken ct)
    {
        try
        {
            return await data!.VersionsAsync(dataset, ct);
        }
        catch (Core.Errors.KilnException e) when (e.Code == Core.Errors.ErrorCode.ResourceDoesNotExist)
        {
            return [];
        }
    }

    private async Task<IReadOnlyList<Core.Registry.AliasEvent>> HistoryAsync(string model, string alias, CancellationToken ct)
    {
        try
        {
            return await registry!.HistoryAsync(model, alias, ct);
        }
        catch (Core.Errors.KilnException e) when (e.Code == Core.Errors.ErrorCode.ResourceDoesNotExist)
        {
            return [];
        }
    }
}
