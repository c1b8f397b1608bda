using Kiln.Core.Errors;
using Kiln.Engine.Hosting;
using Kiln.Server.Http;
using Kiln.Server.Mlflow;

namespace Kiln.Server;

/// <summary>Where the server listens.</summary>
public sealed record ServerOptions(string Host = "127.0.0.1", int Port = 5000);

/// <summary>Builds Kiln's all-in-one HTTP server: MLflow's REST API (and its artifact proxy), /health and /version.</summary>
public static class KilnServer
{
    /// <summary>Kiln's version, as /version reports it.</summary>
    public static string Version { get; } = typeof(KilnServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Builds the app over an opened context; port 0 picks a free port (see <see cref="WebApplication.Urls"/> after start).</summary>
    public static WebApplication Build(KilnContext context, ServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = ApiRouting.DefaultMaxBodyBytes;
        });
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(context.Tracking);
        builder.Services.AddSingleton(context.Artifacts);
        builder.Services.AddRoutingCore();

        var app = builder.Build();
        app.UseMlflowErrors();
        app.UseRouting();
        app.MapGet("/health", () => "OK");
        app.MapGet("/version", () => Version);
        app.MapExperimentEndpoints();
        app.MapRunEndpoints();
        app.MapArtifactEndpoints();
        app.MapFallback(async http =>
        {
            var code = http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/ajax-api") ? ErrorCode.EndpointNotFound : ErrorCode.ResourceDoesNotExist;
            await ErrorHandling.WriteErrorAsync(http, code, $"No endpoint {http.Request.Method} {http.Request.Path}. See the MLflow REST API 2.0 for the supported endpoints.");
        });
        return app;
    }
}
