using Kiln.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>The all-in-one server: Kiln's services and the server's surfaces in one web host.</summary>
public static class KilnWebHost
{
    /// <summary>
    /// Builds the server over the stores <paramref name="settings"/> name. The metadata store is migrated when the
    /// app starts (before it listens); background services registered by features start and stop with it.
    /// <paramref name="configure"/> may add services first (a surface, a clock, a log sink).
    /// </summary>
    public static WebApplication Build(KilnSettings settings, ServerOptions options, Action<IServiceCollection>? configure = null)
    {
        var builder = KilnServer.CreateBuilder(options);
        configure?.Invoke(builder.Services);
        builder.Services.AddKiln(settings).AddKilnServer();
        if (settings.TrackingServer is null)
        {
            builder.Services.AddHostedService<Registry.WebhookDispatcher>(); // the server delivers webhooks; CLI hosts start no background work
            builder.Services.AddHostedService<Serving.ServingReloader>();
            builder.Services.AddHostedService<Serving.PredictionLogService>();
            builder.Services.AddHostedService<Serving.ReplicaHeartbeatService>();
            if (Monitoring.MonitorScheduler.Enabled)
            {
                builder.Services.AddHostedService<Monitoring.MonitorScheduler>();
            }
            if (Pipelines.EmbeddedWorkerService.Enabled)
            {
                builder.Services.AddHostedService<Pipelines.EmbeddedWorkerService>();
            }
            if (Pipelines.PipelineTriggerService.Enabled)
            {
                builder.Services.AddHostedService<Pipelines.PipelineTriggerService>();
            }
        }
        return KilnServer.Build(builder);
    }

    /// <summary>A serving-only replica of one deployment (<c>kiln serve</c>): scoring over MLflow's protocol and the Open Inference Protocol, health, hot reload and heartbeats; no tracking API, no console.</summary>
    public static WebApplication BuildServing(KilnSettings settings, ServerOptions options, string deployment, Action<IServiceCollection>? configure = null)
    {
        var builder = KilnServer.CreateBuilder(options);
        configure?.Invoke(builder.Services);
        builder.Services.AddKiln(settings with { TrackingServer = null }).AddKilnServingReplica(deployment);
        builder.Services.AddHostedService<Serving.ServingReloader>();
        builder.Services.AddHostedService<Serving.PredictionLogService>();
        builder.Services.AddHostedService<Serving.ReplicaHeartbeatService>();
        return KilnServer.Build(builder);
    }
}
