using System.CommandLine;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Engine.Registry.Gates;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln models gate-spec|gate|verdicts|promote|approve|promotions|rollback</c>: only a model that earns it reaches an alias.</summary>
internal static partial class ModelsCommand
{
    private static Command GateSpecCommand()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var file = new Argument<string?>("file") { Description = "The gate spec (YAML) to save; omit to print the current one.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("gate-spec", "Save (or show) the gate that guards one of a model's aliases: thresholds, slice gaps, and comparisons with the current holder.") { name, file };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var gates = kiln.Get<GateService>();
            var model = parse.GetValue(name)!;
            if (parse.GetValue(file) is { } path)
            {
                var yaml = File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : throw KilnException.FileNotFound(path);
                var saved = await gates.SaveSpecAsync(model, yaml, Environment.UserName, ct);
                CliConsole.Current.MarkupLine($"Saved the gate for [bold]{Format.Escape(saved.Alias)}[/] of {Format.Escape(model)} as {saved.GateId}.");
                return 0;
            }
            var current = await gates.CurrentSpecAsync(model, null, ct) ?? throw KilnException.NotFound($"Model '{model}' has no gate yet: save one with kiln models gate-spec {model} FILE.yaml.");
            CliConsole.Current.WriteLine($"# {current.GateId}, saved by {current.UserId} {Format.Time(current.CreatedAt)}");
            CliConsole.Current.WriteLine(current.Yaml.TrimEnd());
            return 0;
        });
        return command;
    }

    private static Command Gate()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int>("version") { Description = "The candidate version." };
        var data = new Option<string>("--data") { Description = "Labelled data both models did not train on: a file or datasets:/NAME/VERSION.", Required = true };
        var alias = new Option<string?>("--alias") { Description = "The alias whose gate to run (default: the newest gate's)." };
        var output = Output.CreateOption();
        var command = new Command("gate", "Run a model's gate on a version: it and the alias's current holder are evaluated on the same data; the verdict is recorded. Exit code 4 when it fails.")
        {
            name, version, data, alias, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (path, source) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var outcome = await kiln.Get<GateService>().GateAsync(parse.GetValue(name)!, parse.GetValue(version), path, source, parse.GetValue(alias), Environment.UserName,
                new Progress<string>(m => CliConsole.Progress.MarkupLine($"[grey]{Format.Escape(m)}[/]")), ct);
            var v = outcome.Verdict;
            var format = Output.Format(parse, output);
            Output.Write(format, ["check", "candidate", $"{v.Alias} (v{v.HolderVersion})", "bound", "passed", "note"],
                outcome.Checks.Select(c => (IReadOnlyList<object?>)[c.Check, c.Candidate, c.Holder, c.Bound, c.Passed ? "yes" : "NO", c.Note]));
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine(v.Passed
                    ? $"[green]Passed[/]: version {v.Version} may be promoted to {Format.Escape(v.Alias)} (kiln models promote {Format.Escape(v.Name)} {v.Version} --alias {Format.Escape(v.Alias)})."
                    : $"[red]Failed[/]: version {v.Version} may not be promoted to {Format.Escape(v.Alias)}. Verdict {v.Id}; evaluation run {outcome.CandidateRun}.");
            }
            return v.Passed ? 0 : Core.Errors.ExitCodes.CheckFailed;
        });
        return command;
    }

    private static Command Verdicts()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int?>("version") { Description = "Only this version's verdicts.", Arity = ArgumentArity.ZeroOrOne };
        var output = Output.CreateOption();
        var command = new Command("verdicts", "The gate verdicts of a model's versions, newest first, with every check.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<Kiln.Core.Registry.IRegistryStore>();
            var verdicts = await registry.ListVerdictsAsync(parse.GetValue(name)!, parse.GetValue(version), ct);
            Output.Write(Output.Format(parse, output), ["time", "version", "alias", "passed", "against", "checks", "user", "id"],
                verdicts.Select(v => (IReadOnlyList<object?>)[Output.Time(v.CreatedAt), v.Version, v.Alias, v.Passed ? "yes" : "NO", v.HolderVersion, Checks(v.ResultJson), v.UserId, v.Id]));
            return 0;
        });
        return command;
    }

    private static Command Promote()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int>("version") { Description = "The version to promote." };
        var alias = new Option<string>("--alias") { Description = "The alias to move.", DefaultValueFactory = _ => "champion" };
        var force = new Option<bool>("--force") { Description = "Promote without a passing gate verdict (needs --reason; recorded)." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the history)." };
        var command = new Command("promote", "Move an alias to a version that passed its gate (or --force --reason); waits for approval when the gate requires it.") { name, version, alias, force, reason };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var (moved, pending) = await kiln.Get<GateService>().PromoteAsync(parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(alias)!, Environment.UserName,
                parse.GetValue(force), parse.GetValue(reason), ct);
            CliConsole.Current.MarkupLine(pending is not null
                ? $"Promotion of version {pending.Version} to [bold]{Format.Escape(pending.Alias)}[/] is [yellow]PENDING[/]: someone else approves it with kiln models approve {Format.Escape(pending.Name)} --alias {Format.Escape(pending.Alias)}."
                : $"[bold]{Format.Escape(moved!.Alias)}[/] of {Format.Escape(moved.Name)} → version [bold]{moved.Version}[/]{(moved.PreviousVersion is { } p ? $" (was version {p})" : "")}.");
            return 0;
        });
        return command;
    }

    private static Command Approve()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var alias = new Option<string>("--alias") { Description = "The alias whose pending promotion to decide.", DefaultValueFactory = _ => "champion" };
        var reject = new Option<bool>("--reject") { Description = "Reject it instead." };
        var command = new Command("approve", "Approve (or --reject) the promotion waiting on an alias; the approver must not be the one who asked.") { name, alias, reject };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var decided = await kiln.Get<GateService>().DecideAsync(parse.GetValue(name)!, parse.GetValue(alias)!, !parse.GetValue(reject), Environment.UserName, ct);
            CliConsole.Current.MarkupLine(decided.Status == "APPROVED"
                ? $"Approved: [bold]{Format.Escape(decided.Alias)}[/] of {Format.Escape(decided.Name)} → version [bold]{decided.Version}[/]."
                : $"Rejected the promotion of version {decided.Version} to {Format.Escape(decided.Alias)}.");
            return 0;
        });
        return command;
    }

    private static Command Promotions()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var output = Output.CreateOption();
        var command = new Command("promotions", "Promotions asked for, pending and decided.") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var list = await kiln.Get<Kiln.Core.Registry.IRegistryStore>().ListPromotionsAsync(parse.GetValue(name)!, ct);
            Output.Write(Output.Format(parse, output), ["requested", "version", "alias", "status", "by", "decided_by", "reason"],
                list.Select(p => (IReadOnlyList<object?>)[Output.Time(p.RequestedAt), p.Version, p.Alias, p.Status, p.RequestedBy, p.DecidedBy, p.Reason]));
            return 0;
        });
        return command;
    }

    private static Command Rollback()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var alias = new Option<string>("--alias") { Description = "The alias to move back.", DefaultValueFactory = _ => "champion" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the history)." };
        var command = new Command("rollback", "Move an alias back to the version it held before, in one step.") { name, alias, reason };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var moved = await kiln.Get<GateService>().RollbackAsync(parse.GetValue(name)!, parse.GetValue(alias)!, Environment.UserName, parse.GetValue(reason), ct);
            CliConsole.Current.MarkupLine($"Rolled back [bold]{Format.Escape(moved.Alias)}[/] of {Format.Escape(moved.Name)} to version [bold]{moved.Version}[/] (from version {moved.PreviousVersion}).");
            return 0;
        });
        return command;
    }

    private static string Checks(string resultJson)
    {
        using var doc = JsonDocument.Parse(resultJson);
        return string.Join("; ", doc.RootElement.GetProperty("checks").EnumerateArray().Select(c =>
            $"{c.GetProperty("check").GetString()}: {(c.GetProperty("passed").GetBoolean() ? "ok" : "FAILED")}"));
    }
}
