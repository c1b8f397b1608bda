using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Spectre.Console;
using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Hosting;
using Kiln.Hosting.Pipelines;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln pipeline run</c> and <c>resume</c>: queue a run and, unless detached, work on it here until it ends.</summary>
internal static partial class PipelineCommand
{
    private static Command Run()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "A pipeline file, a name in ./pipelines (NAME.yaml), or a stored pipeline's name (kiln pipeline apply)." };
        var parameters = new Option<string[]>("--param", "-p") { Description = "A param as NAME=VALUE (repeatable); checked against its type.", AllowMultipleArgumentsPerToken = false };
        var force = new Option<bool>("--force") { Description = "Run every step, even those whose cached result matches." };
        var detach = new Option<bool>("--detach") { Description = "Only queue the run, for kiln server's worker or kiln worker processes; print its id and return." };
        var slots = new Option<int?>("--slots") { Description = "Steps to run at once here (default KILN_WORKER_SLOTS or 4)." };
        var command = new Command("run", "Run a pipeline: steps whose needs are done run in parallel, unchanged steps are cache hits, each step is a tracked run with its log. Exit code 4 when a step (e.g. a gate or a validation) fails, 130 when cancelled.")
        {
            pipeline, parameters, force, detach, slots,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var service = Pipelines(kiln);
            var (yaml, file) = await SpecAsync(service, parse.GetValue(pipeline)!, ct);
            var run = await service.StartAsync(yaml, file, ParseParams(parse.GetValue(parameters) ?? []), PipelineTriggers.Manual, parse.GetValue(pipeline), parse.GetValue(force),
                Environment.UserName, ct);
            return await FollowAsync(kiln, run, parse.GetValue(detach), parse.GetValue(slots), ct);
        });
        return command;
    }

    private static Command Resume()
    {
        var id = new Argument<string>("run") { Description = "The failed or cancelled run." };
        var detach = new Option<bool>("--detach") { Description = "Only queue it again; print its id and return." };
        var slots = new Option<int?>("--slots") { Description = "Steps to run at once here." };
        var command = new Command("resume", "Resume a failed or cancelled run from its failed steps: steps that succeeded keep their outputs, the rest run (or are cache hits).")
        {
            id, detach, slots,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var run = await Pipelines(kiln).ResumeAsync(parse.GetValue(id)!, ct);
            return await FollowAsync(kiln, run, parse.GetValue(detach), parse.GetValue(slots), ct);
        });
        return command;
    }

    /// <summary>Prints the run's steps as they change, working on them with a worker of its own, until the run ends.</summary>
    private static async Task<int> FollowAsync(KilnHost kiln, PipelineRun run, bool detach, int? slots, CancellationToken ct)
    {
        var console = CliConsole.Current;
        console.MarkupLine($"Pipeline [bold]{Format.Escape(run.Pipeline)}[/] run [bold]{run.Id}[/]{(run.Force ? " (forced: no cache)" : "")}");
        if (detach)
        {
            console.MarkupLine($"Queued. Follow it with kiln pipeline status {run.Id}.");
            return ExitCodes.Success;
        }
        var service = Pipelines(kiln);
        var worker = new PipelineWorker(kiln.Get<IPipelineStore>(), kiln.Get<StepRunner>(), kiln.Get<Engine.Tracking.ITracking>(),
            PipelineRegistration.WorkerSettings(slots) with { OnlyRun = run.Id }, kiln.Get<TimeProvider>());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var working = worker.RunAsync(stop.Token);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        PipelineRunDetail detail;
        try
        {
            detail = await service.WaitAsync(run.Id, TimeSpan.FromMilliseconds(100), d => Report(d, seen), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: the run is cancelled, not left running with no one to work on it.
            await stop.CancelAsync();
            await working;
            await service.CancelAsync(run.Id, Environment.UserName, CancellationToken.None);
            detail = await service.GetRunAsync(run.Id, CancellationToken.None);
        }
        finally
        {
            await stop.CancelAsync();
            await working;
        }
        return Conclude(detail);
    }

    private static void Report(PipelineRunDetail detail, Dictionary<string, string> seen)
    {
        foreach (var step in detail.Steps)
        {
            if (seen.TryGetValue(step.Step, out var before) && before == step.Status || step.Status is StepStatuses.Pending or StepStatuses.Ready)
            {
                continue;
            }
            seen[step.Step] = step.Status;
            CliConsole.Current.MarkupLine(StepLine(step));
        }
    }

    private static string StepLine(StepRun step)
    {
        var (mark, colour) = step.Status switch
        {
            StepStatuses.Succeeded => ("✓", "green"),
            StepStatuses.Cached => ("↺", "blue"),
            StepStatuses.Skipped => ("–", "grey"),
            StepStatuses.Running => ("▶", "yellow"),
            StepStatuses.Failed or StepStatuses.Blocked => ("✗", "red"),
            _ => ("·", "grey"),
        };
        var took = step is { StartedAt: { } s, FinishedAt: { } f } && step.Status != StepStatuses.Cached ? $" {(f - s) / 1000.0:F2} s" : "";
        var detail = step.Status switch
        {
            StepStatuses.Cached => $" (cache hit from run {step.CachedFrom})",
            StepStatuses.Running when step.Attempt > 1 => $" (attempt {step.Attempt})",
            StepStatuses.Failed or StepStatuses.Blocked or StepStatuses.Skipped or StepStatuses.Cancelled => $": {step.Error}",
            _ => "",
        };
        return $"  [{colour}]{mark} {Format.Escape(step.Step)}[/] {step.Status}{took}{Format.Escape(detail)}";
    }

    private static int Conclude(PipelineRunDetail detail)
    {
        var run = detail.Run;
        var counts = detail.Steps.GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count());
        var took = run is { StartedAt: { } s, FinishedAt: { } f } ? $" in {(f - s) / 1000.0:F2} s" : "";
        var colour = run.Status == PipelineStatuses.Succeeded ? "green" : "red";
        CliConsole.Current.MarkupLine($"Run [bold]{run.Id}[/] [{colour}]{run.Status}[/]{took}: " + string.Join(", ",
            new[] { StepStatuses.Succeeded, StepStatuses.Cached, StepStatuses.Skipped, StepStatuses.Failed, StepStatuses.Blocked, StepStatuses.Cancelled }
                .Where(counts.ContainsKey).Select(k => $"{counts[k]} {(k == StepStatuses.Succeeded ? "ran" : k)}")));
        if (run.Error is { } error && run.Status != PipelineStatuses.Succeeded)
        {
            Console.Error.WriteLine($"error: {error}");
            if (run.Status == PipelineStatuses.Failed)
            {
                Console.Error.WriteLine($"Fix the cause, then kiln pipeline resume {run.Id} (kiln pipeline logs {run.Id} STEP shows a step's log).");
            }
        }
        return run.Status switch
        {
            PipelineStatuses.Succeeded => ExitCodes.Success,
            PipelineStatuses.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.CheckFailed,
        };
    }

    private static PipelineService Pipelines(KilnHost kiln) => kiln.Services.GetService(typeof(PipelineService)) as PipelineService
        ?? throw KilnException.Invalid("Pipelines need the local store (or PostgreSQL): drop --tracking-uri / KILN_TRACKING_URI, or use the server's REST API (POST /api/kiln/pipelines/NAME/runs).");

    /// <summary>A pipeline's text: a file, ./pipelines/NAME.yaml, or the stored pipeline NAME.</summary>
    private static async Task<(string Yaml, string File)> SpecAsync(PipelineService service, string pipeline, CancellationToken ct)
    {
        foreach (var path in new[] { pipeline, Path.Combine("pipelines", pipeline + ".yaml"), Path.Combine("pipelines", pipeline + ".yml") })
        {
            if (File.Exists(path))
            {
                return (await File.ReadAllTextAsync(path, ct), path);
            }
        }
        if (pipeline.EndsWith(".yaml", StringComparison.Ordinal) || pipeline.EndsWith(".yml", StringComparison.Ordinal) || pipeline.Contains('/', StringComparison.Ordinal))
        {
            throw KilnException.FileNotFound(pipeline);
        }
        var stored = await service.GetAsync(pipeline, ct);
        return (stored.Yaml, $"{stored.Name} (stored)");
    }

    private static Dictionary<string, string> ParseParams(string[] pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw KilnException.Invalid($"Invalid -p '{pair}': use NAME=VALUE, e.g. -p rounds=300.");
            }
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return result;
    }

    private static string Seconds(long? from, long? to) => from is { } a && to is { } b ? ((b - a) / 1000.0).ToString("F2", CultureInfo.InvariantCulture) + " s" : "";
}
