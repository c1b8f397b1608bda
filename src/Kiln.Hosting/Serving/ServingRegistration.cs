using Kiln.Core.Stores;
using Kiln.Engine.Serving;
using Kiln.Hosting.Background;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Serving;

/// <summary>Registers deployments and the models they serve.</summary>
public static class ServingRegistration
{
    /// <summary>Adds the <see cref="Core.Serving.IDeploymentStore"/>, <see cref="DeploymentService"/>, <see cref="ServedModels"/>, the replicas' heartbeats, this process's <see cref="ServingTraffic"/>, and what <c>kiln deploy export</c> packages replicas with.</summary>
    public static IServiceCollection AddKilnServing(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Deployments);
        services.TryAddSingleton<DeploymentCache>();
        services.TryAddSingleton<DeploymentService>();
        services.TryAddTransient<Kiln.Engine.Monitoring.DeploymentDriftService>();
        services.TryAddTransient<Kiln.Engine.Monitoring.MonitorService>();
        services.TryAddTransient<Kiln.Engine.Monitoring.MonitorRound>();
        services.TryAddTransient<Kiln.Engine.Monitoring.Alerts.AlertService>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Alerts);
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Slices);
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Predictions);
        services.TryAddSingleton<PredictionLogWriter>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Replicas);
        services.TryAddSingleton<ServingTraffic>();
        services.TryAddSingleton<ReplicaHeartbeat>();
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<KilnSettings>();
            return new Engine.Serving.Export.ReplicaPackageOptions(settings.StoreUri, settings.ArtifactsRoot);
        });
        services.TryAddSingleton(sp => new ServedModels(sp.GetRequiredService<Kiln.Engine.Packaging.ModelLocator>(), sp.GetService<Kiln.Engine.Registry.IModelFiles>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Kiln.Engine.Flavors.FlavorCatalog>()));
        return services;
    }
}

/// <summary>Hot reload: every second, re-resolves the served <c>models:/</c> references and swaps in versions whose alias moved.</summary>
internal sealed class ServingReloader(ServedModels models, TimeProvider time, ILogger<ServingReloader> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var swapped = await models.RefreshAsync(ct);
        if (swapped > 0)
        {
            logger.LogInformation("Hot reload: {Count} served model(s) moved to a new version", swapped);
        }
    }
}

/// <summary>Runs the prediction log's batch writer while the server runs.</summary>
internal sealed class PredictionLogService(PredictionLogWriter writer, ILogger<PredictionLogService> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await writer.RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Writing the prediction log failed; retrying in a second");
                await Task.Delay(1000, stoppingToken);
            }
        }
    }
}
