using Kiln.Server.Http;
using Kiln.Server.Mlflow;
using Kiln.Server.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server;

/// <summary>Registers the server's surfaces.</summary>
public static class ServerServiceCollectionExtensions
{
    /// <summary>Today's surfaces: MLflow's REST API (with the artifact proxy) and /health, /version. A new surface adds its line here.</summary>
    public static IServiceCollection AddKilnServer(this IServiceCollection services)
    {
        services.AddSingleton<IEndpointSurface, MlflowSurface>();
        services.AddSingleton<IEndpointSurface, Console.ConsoleSurface>();
        services.AddSingleton<IEndpointSurface, Datasets.DatasetsSurface>();
        services.AddSingleton<IEndpointSurface, Models.ModelsSurface>();
        services.AddSingleton<IEndpointSurface, Serving.ServingSurface>();
        services.AddSingleton<IEndpointSurface, Serving.DeploymentsSurface>();
        services.AddSingleton<IEndpointSurface, Serving.ReplicasSurface>();
        services.AddSingleton<IEndpointSurface, Serving.ExportSurface>();
        services.AddSingleton<IEndpointSurface, Serving.InferenceSurface>();
        services.AddSingleton<IEndpointSurface, Serving.MetricsSurface>();
        services.AddSingleton<Serving.ServingMetrics>();
        services.TryAddSingleton<Engine.Serving.ServingTraffic>();
        services.AddSingleton<IEndpointSurface, HealthSurface>();
        return services;
    }

    /// <summary>A serving-only replica (<c>kiln serve</c>): MLflow's scoring protocol, the Open Inference Protocol and /health; <c>/invocations</c> serves <paramref name="deployment"/>.</summary>
    public static IServiceCollection AddKilnServingReplica(this IServiceCollection services, string deployment)
    {
        services.AddSingleton(new Serving.ServingDefaults(deployment));
        services.AddSingleton<IEndpointSurface, Serving.ServingSurface>();
        services.AddSingleton<IEndpointSurface, Serving.InferenceSurface>();
        services.AddSingleton<IEndpointSurface, Serving.MetricsSurface>();
        services.AddSingleton<Serving.ServingMetrics>();
        services.TryAddSingleton<Engine.Serving.ServingTraffic>();
        services.AddSingleton<IEndpointSurface, HealthSurface>();
        return services;
    }
}
