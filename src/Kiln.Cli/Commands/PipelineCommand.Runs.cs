using System.CommandLine;
using System.Text.Json;
using Kiln.Core.Errors;
using Spectre.Console;
using Kiln.Core.Pipelines;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln pipeline status|list|logs|cancel|apply|show|delete</c>.</summary>
internal static partial class PipelineCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static Command Status()
    {
        var id = new Argument<string>("run") { Description = "The run." };
        var output = Output.CreateOption();
        var command = new Command("status", "A run's status, trigger and steps (status, attempts, time, cache hits, errors, outputs). Exit code 4 when it failed.") { id, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var detail = await Pipelines(kiln).GetRunAsync(parse.GetValue(id)!, ct);
            var run = detail.Run;
            if (Output.Format(parse, output) == OutputFormat.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { run = run with { SpecYaml = "" }, steps = detail.Steps }, Json));
            }
            else
            {
                var console = CliConsole.Current;
                console.MarkupLine($"Run [bold]{run.Id}[/] of [bold]{Format.Escape(run.Pipeline)}[/]: {run.Status}; trigger {run.Trigger}{(run.Cause is { } c ? $" ({Format.Escape(c)})" : "")}; by {Format.Escape(run.User)}; queued {Format.Time(run.CreatedAt)}{(run.FinishedAt is { } f ? $", ended {Format.Time(f)}" : "")}");
                if (run.Params.Count > 0)
                {
                    console.MarkupLine("Params: " + Format.Escape(string.Join(", ", run.Params.Select(p => $"{p.Key}={p.Value}"))));
                }
                Output.Write(OutputFormat.Table, ["step", "status", "attempt", "took", "worker", "detail"], detail.Steps.Select(s => (IReadOnlyList<object?>)
                [
                    s.Step, s.Status, s.Attempt, Seconds(s.StartedAt, s.FinishedAt), s.Worker,
                    s.Status == StepStatuses.Cached ? $"cache hit from run {s.CachedFrom}" : s.Error ?? string.Join(", ", s.Outputs.Select(o => $"{o.Key}={o.Value}")),
                ]));
                if (run.Error is { } error)
                {
                    console.MarkupLine($"[red]{Format.Escape(error)}[/]");
                }
            }
            return run.Status == PipelineStatuses.Failed ? ExitCodes.CheckFailed : ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var pipeline = new Argument<string?>("pipeline") { Description = "Only this pipeline's runs.", Arity = ArgumentArity.ZeroOrOne };
        var max = new Option<int>("--max") { Description = "How many runs.", DefaultValueFactory = _ => 20 };
        var output = Output.CreateOption();
        var command = new Command("list", "The newest pipeline runs: status, trigger, steps run and cached, time.") { pipeline, max, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var service = Pipelines(kiln);
            var runs = await service.ListRunsAsync(parse.GetValue(pipeline), null, parse.GetValue(max), ct);
            var rows = new List<IReadOnlyList<object?>>();
            foreach (var run in runs)
            {
                var steps = (await service.GetRunAsync(run.Id, ct)).Steps;
                rows.Add([run.Id, run.Pipeline, run.Status, run.Trigger, Output.Time(run.CreatedAt), Seconds(run.StartedAt, run.FinishedAt),
                    $"{steps.Count(s => s.Status == StepStatuses.Succeeded)} ran, {steps.Count(s => s.Status == StepStatuses.Cached)} cached, {steps.Count} in all"]);
            }
            Output.Write(Output.Format(parse, output), ["run", "pipeline", "status", "trigger", "queued", "took", "steps"], rows);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Logs()
    {
        var id = new Argument<string>("run") { Description = "The run." };
        var step = new Argument<string?>("step") { Description = "One step (default: every step that ran, in order).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logs", "A run's step logs (each step's latest attempt; kept as the step run's step.log artifact).") { id, step };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var service = Pipelines(kiln);
            var detail = await service.GetRunAsync(parse.GetValue(id)!, ct);
            var wanted = parse.GetValue(step);
            if (wanted is not null && detail.Steps.All(s => s.Step != wanted))
            {
                throw KilnException.NotFound($"Run {detail.Run.Id} has no step '{wanted}' (its steps: {string.Join(", ", detail.Steps.Select(s => s.Step))}).");
            }
            foreach (var s in detail.Steps.Where(s => wanted is null || s.Step == wanted))
            {
                var log = s.Status == StepStatuses.Cached ? null : await service.LogAsync(s, ct);
                if (wanted is null)
                {
                    Console.Out.WriteLine($"==> {s.Step} ({s.Status}) <==");
                }
                Console.Out.Write(log ?? (s.Status == StepStatuses.Cached ? $"(cache hit: reused run {s.CachedFrom}'s result; kiln pipeline logs {s.CachedFrom} {s.Step} shows its log)\n" : "(no log)\n"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("run") { Description = "The run." };
        var command = new Command("cancel", "Cancel a queued or running run: its running steps stop at their next heartbeat, the rest never start.") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var run = await Pipelines(kiln).CancelAsync(parse.GetValue(id)!, Environment.UserName, ct);
            CliConsole.Current.MarkupLine($"Run [bold]{run.Id}[/] {run.Status}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Apply()
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files (default: every pipelines/*.yaml here).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("apply", "Store pipeline files in the metadata store, so that the server, workers, the console and triggers know them (validated first).") { files };
        command.SetAction(async (parse, ct) =>
        {
            var paths = parse.GetValue(files) is { Length: > 0 } given ? given : Defaults();
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            foreach (var path in paths)
            {
                var stored = await Pipelines(kiln).ApplyAsync(File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : throw KilnException.FileNotFound(path), path, Environment.UserName, ct);
                CliConsole.Current.MarkupLine($"Stored pipeline [bold]{Format.Escape(stored.Name)}[/] from {Format.Escape(path)} (sha256 {stored.Hash[..12]}).");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string?>("name") { Description = "A stored pipeline (default: list them).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Print a stored pipeline's file, or list the stored pipelines.") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var service = Pipelines(kiln);
            if (parse.GetValue(name) is { } wanted)
            {
                Console.Out.Write((await service.GetAsync(wanted, ct)).Yaml);
            }
            else
            {
                Output.Write(OutputFormat.Table, ["pipeline", "stored", "by", "sha256"], (await service.ListAsync(ct)).Select(p => (IReadOnlyList<object?>)
                    [p.Name, Output.Time(p.UpdatedAt), p.UpdatedBy, p.Hash[..12]]));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The stored pipeline." };
        var command = new Command("delete", "Delete a stored pipeline (its runs are kept).") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            await Pipelines(kiln).DeleteAsync(parse.GetValue(name)!, ct);
            CliConsole.Current.MarkupLine($"Deleted pipeline [bold]{Format.Escape(parse.GetValue(name))}[/].");
            return ExitCodes.Success;
        });
        return command;
    }
}
