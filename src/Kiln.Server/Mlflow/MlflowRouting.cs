using Kiln.Core.Mlflow;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>Maps MLflow-style JSON endpoints under both <c>/api/2.0/mlflow/</c> and <c>/ajax-api/2.0/mlflow/</c>.</summary>
public static class MlflowRouting
{
    /// <summary>The path prefixes MLflow serves its API under.</summary>
    public static readonly string[] Prefixes = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];

    /// <summary>Maps a handler that gets <typeparamref name="TService"/> from the host's container, under both prefixes.</summary>
    public static void MapMlflow<TService>(this IEndpointRouteBuilder app, string path, string[] methods, ApiHandler<TService> handler,
        int maxBodyBytes = JsonEndpoints.DefaultMaxBodyBytes)
        where TService : notnull
    {
        foreach (var prefix in Prefixes)
        {
            app.MapJson(prefix + path, methods, handler, MlflowJson.WriterOptions, maxBodyBytes);
        }
    }
}
