using Kiln.Server.Http;
using Kiln.Server.Mlflow;
using Kiln.Server.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server;

/// <summary>Registers the server's surfaces.</summary>
public static class ServerServiceCollectionExtensions
{
    /// <summary>Today's surfaces: MLflow's REST API (with the artifact proxy), the console, Kiln's API, serving, and /health, /version. A new surface adds its line here.</summary>
    public static IServiceCollection AddKilnServer(this IServiceCollection services)
    {
        services.AddSingleton<IEndpointSurface, MlflowSurface>();
        services.AddSingleton<IEndpointSurface, Console.ConsoleSurface>();
        services.AddSingleton<IEndpointSurface, Datasets.DatasetsSurface>();
        services.AddSingleton<IEndpointSurface, Models.ModelsSurface>();
        services.AddSingleton<IEndpointSurface, Serving.DeploymentsSurface>();
        services.AddScoring();
        services.AddSingleton<IEndpointSurface, Serving.ReplicasSurface>();
        services.AddSingleton<IEndpointSurface, Serving.ExportSurface>();
        services.AddSingleton<IEndpointSurface, Monitoring.MonitoringSurface>();
        services.AddSingleton<Monitoring.MonitorMetrics>();
        services.AddSingleton<IEndpointSurface, Monitoring.AlertsSurface>();
        services.AddSingleton<IEndpointSurface, Pipelines.PipelinesSurface>();
        services.AddSingleton<IEndpointSurface, HealthSurface>();
        return services;
    }

    /// <summary>A serving-only replica (<c>kiln serve</c>): MLflow's scoring protocol, the Open Inference Protocol (REST and gRPC), /metrics and /health; <c>/invocations</c> serves <paramref name="deployment"/>.</summary>
    public static IServiceCollection AddKilnServingReplica(this IServiceCollection services, string deployment)
    {
        services.AddSingleton(new Serving.ServingDefaults(deployment));
        services.AddScoring();
        services.AddSingleton<IEndpointSurface, Pipelines.PipelinesSurface>();
        services.AddSingleton<IEndpointSurface, HealthSurface>();
        return services;
    }

    /// <summary>
    /// The scoring protocols (MLflow's, the Open Inference Protocol over REST and gRPC), <c>/metrics</c> and what they share:
    /// the <see cref="Serving.ScoringPath"/>, its limiter and the <see cref="Serving.ServingLimits"/> (registered before
    /// this call, e.g. from the command's options, else read from the environment).
    /// </summary>
    private static void AddScoring(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => Serving.ServingLimits.Resolve());
        services.AddSingleton<Serving.ScoringLimiter>();
        services.AddSingleton<Serving.ScoringPath>();
        services.AddSingleton(sp => new Serving.ServingReadiness(sp.GetRequiredService<Core.Serving.IDeploymentStore>(), sp.GetRequiredService<Engine.Serving.ServedModels>(),
            sp.GetService<Serving.ServingDefaults>()));
        services.AddSingleton<Serving.ServingMetrics>();
        services.TryAddSingleton<Engine.Serving.ServingTraffic>();
        services.AddSingleton<IEndpointSurface, Serving.ServingSurface>();
        services.AddSingleton<IEndpointSurface, Serving.InferenceSurface>();
        services.AddSingleton<IEndpointSurface, Serving.Grpc.GrpcInferenceSurface>();
        services.AddSingleton<IEndpointSurface, Serving.MetricsSurface>();
        services.AddGrpc(o => o.Interceptors.Add<Serving.Grpc.GrpcErrors>());
        // a gRPC message is a request body: the same limit (past it, RESOURCE_EXHAUSTED)
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<Serving.ServingLimits>((o, limits) => o.MaxReceiveMessageSize = limits.MaxBodyBytes);
    }
}
