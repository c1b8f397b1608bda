using System.Globalization;
using Kiln.Core.Stores;
using Kiln.Engine.Pipelines;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Pipelines.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Pipelines;

/// <summary>Registers pipelines: the store, the operations, the step runner, the service and this process's worker.</summary>
public static class PipelineRegistration
{
    /// <summary>
    /// Adds <see cref="PipelineService"/>, <see cref="StepRunner"/>, the ten operations and a <see cref="PipelineWorker"/> whose
    /// options come from <c>KILN_WORKER_SLOTS</c> (default 4), <c>KILN_WORKER_LABELS</c> (comma-separated),
    /// <c>KILN_WORKER_LEASE</c> (seconds, default 30) and <c>KILN_WORKER_POLL_MS</c> (default 250) unless registered before.
    /// </summary>
    public static IServiceCollection AddKilnPipelines(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Pipelines);
        services.TryAddSingleton(sp => new Fingerprints(sp.GetService<Engine.Data.DataService>(), sp.GetService<Engine.Registry.RegistryService>()));
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Transient<IStepOperation, DataAddOperation>(),
            ServiceDescriptor.Transient<IStepOperation, DataValidateOperation>(),
            ServiceDescriptor.Transient<IStepOperation, TrainOperation>(),
            ServiceDescriptor.Transient<IStepOperation, TuneOperation>(),
            ServiceDescriptor.Transient<IStepOperation, EvaluateOperation>(),
            ServiceDescriptor.Transient<IStepOperation, RegisterOperation>(),
            ServiceDescriptor.Transient<IStepOperation, GateOperation>(),
            ServiceDescriptor.Transient<IStepOperation, PromoteOperation>(),
            ServiceDescriptor.Transient<IStepOperation, DeployOperation>(),
            ServiceDescriptor.Transient<IStepOperation, MonitorOperation>(),
        ]);
        services.TryAddSingleton(sp => new StepRunner(sp.GetRequiredService<Core.Pipelines.IPipelineStore>(), sp.GetRequiredService<Engine.Tracking.ITracking>(),
            sp.GetServices<IStepOperation>(), sp.GetRequiredService<Fingerprints>(), sp.GetService<Engine.Data.DataService>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PipelineService>();
        services.TryAddSingleton(sp => new Engine.Pipelines.Triggers.TriggerRound(sp.GetRequiredService<Core.Pipelines.IPipelineStore>(), sp.GetRequiredService<PipelineService>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<Engine.Data.DataService>(), sp.GetService<Engine.Registry.RegistryService>(), sp.GetService<Core.Monitoring.IAlertStore>()));
        services.TryAddSingleton(_ => WorkerSettings());
        services.TryAddSingleton(sp =>
        {
            var worker = new PipelineWorker(sp.GetRequiredService<Core.Pipelines.IPipelineStore>(), sp.GetRequiredService<StepRunner>(), sp.GetRequiredService<Engine.Tracking.ITracking>(),
                sp.GetRequiredService<WorkerOptions>(), sp.GetRequiredService<TimeProvider>());
            sp.GetRequiredService<PipelineService>().Queued += _ => worker.Wake();
            return worker;
        });
        return services;
    }

    /// <summary>Worker options from the environment (see <see cref="AddKilnPipelines"/>).</summary>
    public static WorkerOptions WorkerSettings(int? slots = null, IReadOnlyList<string>? labels = null)
    {
        static double Number(string name, double fallback) =>
            double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
        return new WorkerOptions(
            slots ?? (int)Number("KILN_WORKER_SLOTS", 4),
            labels ?? (Environment.GetEnvironmentVariable("KILN_WORKER_LABELS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            TimeSpan.FromSeconds(Number("KILN_WORKER_LEASE", 30)),
            TimeSpan.FromMilliseconds(Number("KILN_WORKER_POLL_MS", 250)));
    }
}

/// <summary>The worker embedded in <c>kiln server</c> (off with <c>KILN_EMBEDDED_WORKER=0</c>): runs queued pipeline steps while the server runs.</summary>
internal sealed class EmbeddedWorkerService(PipelineWorker worker, ILogger<EmbeddedWorkerService> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    /// <summary>Whether the server runs one.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("KILN_EMBEDDED_WORKER")?.Trim() is not ("0" or "off" or "false");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Pipeline worker {Worker} started", worker.Id);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await worker.RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The store was unreachable: wait and claim again (leases keep steps safe meanwhile).
                logger.LogWarning(e, "Pipeline worker {Worker} stopped claiming; retrying in 5 s", worker.Id);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}

/// <summary>
/// Pipeline triggers inside <c>kiln server</c>: every <c>KILN_TRIGGER_INTERVAL</c> seconds (default 5; <c>0</c> or <c>off</c>
/// turns them off) checks the stored pipelines' <c>on:</c> triggers and starts the runs they fire (one server fires each event,
/// however many share the store).
/// </summary>
internal sealed class PipelineTriggerService(Engine.Pipelines.Triggers.TriggerRound round, TimeProvider time, ILogger<PipelineTriggerService> logger)
    : Background.PeriodicService(time, logger)
{
    /// <summary>Whether this server checks triggers.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("KILN_TRIGGER_INTERVAL")?.Trim() is not ("0" or "off");

    protected override TimeSpan Interval { get; } = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("KILN_TRIGGER_INTERVAL"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 5);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        foreach (var firing in await round.RunAsync(ct))
        {
            if (firing.Run is { } run)
            {
                logger.LogInformation("Pipeline {Pipeline}: {Trigger} trigger started run {Run} ({Status}): {Cause}", firing.Pipeline, firing.Trigger, run.Id, run.Status, firing.Cause);
            }
            else
            {
                logger.LogInformation("Pipeline {Pipeline}: {Trigger} trigger skipped (concurrency: skip, a run is active): {Cause}", firing.Pipeline, firing.Trigger, firing.Cause);
            }
        }
    }
}
