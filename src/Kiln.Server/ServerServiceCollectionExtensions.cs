using Kiln.Server.Http;
using Kiln.Server.Mlflow;
using Kiln.Server.Health;

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
        services.AddSingleton<IEndpointSurface, Serving.InferenceSurface>();
        services.AddSingleton<IEndpointSurface, HealthSurface>();
        return services;
    }
}
