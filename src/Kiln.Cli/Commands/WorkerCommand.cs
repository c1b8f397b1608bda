using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Hosting.Pipelines;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln worker</c>: claims pipeline steps from the store's queue until stopped (Ctrl-C).</summary>
internal static class WorkerCommand
{
    public static Command Build()
    {
        var slots = new Option<int?>("--slots") { Description = "Steps to run at once (default KILN_WORKER_SLOTS or 4)." };
        var labels = new Option<string?>("--labels") { Description = "This worker's labels, comma-separated (e.g. gpu,highmem): steps needing labels go only to workers that have them all. Env: KILN_WORKER_LABELS." };
        var command = new Command("worker", "Run pipeline steps claimed from the metadata store (PostgreSQL for many machines: FOR UPDATE SKIP LOCKED, leases with heartbeats; a step whose worker died is retried elsewhere). Stops on Ctrl-C.")
        {
            slots, labels,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            if (kiln.Services.GetService(typeof(IPipelineStore)) is null)
            {
                throw KilnException.Invalid("kiln worker needs the metadata store itself (--store postgresql://… or the local SQLite store), not a tracking server.");
            }
            var options = PipelineRegistration.WorkerSettings(parse.GetValue(slots), parse.GetValue(labels)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var worker = new PipelineWorker(kiln.Get<IPipelineStore>(), kiln.Get<StepRunner>(), kiln.Get<Engine.Tracking.ITracking>(), options, kiln.Get<TimeProvider>());
            worker.Recorded += changes =>
            {
                foreach (var step in changes.Steps.Where(s => s.Worker == worker.Id && s.IsFinished || s.Status == StepStatuses.Ready && s.Failures > 0 && s.Worker == worker.Id))
                {
                    Console.Out.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {step.RunId[..8]} {step.Step}: {step.Status}{(step.Error is { } e ? " — " + e : "")}");
                }
                if (changes.Run is { IsFinished: true } run)
                {
                    Console.Out.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {run.Id[..8]} run of {run.Pipeline}: {run.Status}");
                }
            };
            worker.ClaimFailed += e => Console.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} cannot reach the store ({e.Message}); trying again shortly");
            Console.Out.WriteLine($"Worker {worker.Id} on {kiln.Get<Core.Stores.IMetadataStore>().DisplayLocation}: {options.Slots} slot(s), labels [{string.Join(",", options.Labels)}], lease {options.Lease.TotalSeconds:F0} s. Ctrl-C stops.");
            await worker.RunAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
