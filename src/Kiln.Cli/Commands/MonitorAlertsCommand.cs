using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln monitor alerts [ack ID]</c> and <c>kiln monitor rules apply|list|history</c>.</summary>
internal static class MonitorAlertsCommand
{
    public static Command Alerts()
    {
        var state = new Option<string?>("--state") { Description = "Only alerts in this state: firing, acknowledged or resolved." };
        var deployment = new Option<string?>("--deployment") { Description = "Only this deployment's alerts." };
        var limit = new Option<int>("--limit") { Description = "The most alerts to list, newest first.", DefaultValueFactory = _ => 50 };
        var output = Output.CreateOption();
        var command = new Command("alerts", "Alerts the rules raised (newest first), with their state: firing, acknowledged, resolved.") { state, deployment, limit, output };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(state) is { } s && s is not (AlertStates.Firing or AlertStates.Acknowledged or AlertStates.Resolved))
            {
                throw KilnException.Invalid($"--state {s}: choose firing, acknowledged or resolved.");
            }
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var alerts = await kiln.Get<IAlertStore>().ListAsync(parse.GetValue(state), parse.GetValue(deployment), parse.GetValue(limit), ct);
            Output.Write(Output.Format(parse, output), ["id", "state", "severity", "rule", "deployment", "value", "fired", "resolved", "acknowledged_by", "message"],
                alerts.Select(a => (IReadOnlyList<object?>)[a.Id, a.State, a.Severity, a.Rule, a.Deployment, double.IsFinite(a.Value) ? Math.Round(a.Value, 4) : null,
                    Format.Time(a.FiredAt), a.ResolvedAt is { } r ? Format.Time(r) : null, a.AcknowledgedBy, a.Message]));
        });
        var id = new Argument<long>("id") { Description = "The alert's id (kiln monitor alerts lists them)." };
        var ack = new Command("ack", "Acknowledge a firing alert (it stays open until its condition stops holding).") { id };
        ack.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var alert = await kiln.Get<IAlertStore>().AcknowledgeAsync(parse.GetValue(id), Environment.UserName, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ct);
            CliConsole.Current.MarkupLine($"Alert {alert.Id} ({Format.Escape(alert.Rule)} on {Format.Escape(alert.Deployment)}) acknowledged by {Format.Escape(alert.AcknowledgedBy ?? "")}.");
        });
        command.Subcommands.Add(ack);
        return command;
    }

    public static Command Rules()
    {
        var command = new Command("rules", "Alert rules (YAML, versioned): conditions on drift, data quality, performance and latency over N of M windows.");
        var file = new Argument<string>("file") { Description = "A YAML file of rules: rules: [{name, deployment, when, for, cooldown, severity, actions}, …]." };
        var prune = new Option<bool>("--prune") { Description = "Delete the stored rules the file does not name." };
        var apply = new Command("apply", "Store the file's rules: a new version of each rule that changed (all are checked first).") { file, prune };
        apply.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var yaml = File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : throw KilnException.NotFound($"No rules file at {path}.");
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var saved = await kiln.Get<AlertService>().ApplyAsync(yaml, Environment.UserName, parse.GetValue(prune), ct);
            CliConsole.Current.MarkupLine(saved.Count == 0 ? "No rule changed." : string.Join("\n", saved.Select(v =>
                v.Deleted ? $"Deleted rule {Format.Escape(v.Name)} (version {v.Version})." : $"Stored rule {Format.Escape(v.Name)} version {v.Version}.")));
        });
        var output = Output.CreateOption();
        var list = new Command("list", "The rules in force.") { output };
        list.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var rules = await kiln.Get<AlertService>().RulesAsync(ct);
            Output.Write(Output.Format(parse, output), ["name", "version", "deployment", "when", "for", "cooldown", "severity", "actions", "applied_by"],
                rules.Select(r => (IReadOnlyList<object?>)[r.Rule.Name, r.Stored.Version, r.Rule.Deployment ?? "*", r.Rule.Condition.ToString(), $"{r.Rule.Need} of {r.Rule.Of}",
                    r.Rule.Cooldown == TimeSpan.Zero ? null : r.Rule.Cooldown.ToString(), r.Rule.Severity,
                    string.Join(", ", new[] { r.Rule.Webhook ? "webhook" : null, r.Rule.Log ? "log" : null, r.Rule.Pipeline is { } p ? "pipeline " + p : null }.OfType<string>()),
                    r.Stored.UserId]));
        });
        var name = new Argument<string>("name") { Description = "The rule's name." };
        var historyOutput = Output.CreateOption();
        var history = new Command("history", "Every version of a rule, newest first, with its YAML.") { name, historyOutput };
        history.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var versions = await kiln.Get<IAlertStore>().RuleHistoryAsync(parse.GetValue(name)!, ct);
            if (versions.Count == 0)
            {
                throw KilnException.NotFound($"No rule named '{parse.GetValue(name)}': kiln monitor rules list shows the rules.");
            }
            Output.Write(Output.Format(parse, historyOutput), ["version", "applied", "by", "deleted", "yaml"],
                versions.Select(v => (IReadOnlyList<object?>)[v.Version, Format.Time(v.CreatedAt), v.UserId, v.Deleted, v.Yaml.TrimEnd()]));
        });
        command.Subcommands.Add(apply);
        command.Subcommands.Add(list);
        command.Subcommands.Add(history);
        return command;
    }
}
