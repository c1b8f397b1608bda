using System.Buffers;
using System.Text.Json;
using Kiln.Engine.Tracking;

namespace Kiln.Server.Http;

/// <summary>Maps MLflow-style JSON endpoints under both <c>/api/2.0/mlflow/</c> and <c>/ajax-api/2.0/mlflow/</c>.</summary>
public static class ApiRouting
{
    /// <summary>The path prefixes MLflow serves its API under.</summary>
    public static readonly string[] Prefixes = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];

    /// <summary>Default body limit for JSON endpoints.</summary>
    public const int DefaultMaxBodyBytes = 16 * 1024 * 1024;

    public static void MapApi(this IEndpointRouteBuilder app, string path, string[] methods, ApiHandler handler, int maxBodyBytes = DefaultMaxBodyBytes)
    {
        foreach (var prefix in Prefixes)
        {
            app.MapMethods(prefix + path, methods, context => HandleAsync(context, handler, maxBodyBytes));
        }
    }

    private static async Task HandleAsync(HttpContext context, ApiHandler handler, int maxBodyBytes)
    {
        var tracking = context.RequestServices.GetRequiredService<TrackingService>();
        using var request = await ApiRequest.ReadAsync(context, maxBodyBytes);
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var json = new Utf8JsonWriter(buffer, Mlflow.MlflowJson.WriterOptions))
        {
            json.WriteStartObject();
            await handler(new ApiCall(context, request, json, tracking));
            json.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
