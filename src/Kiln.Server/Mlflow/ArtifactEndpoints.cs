using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Mlflow;
using Kiln.Engine.Tracking;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;

namespace Kiln.Server.Mlflow;

/// <summary>Run artifact listing (artifacts/list) and the mlflow-artifacts proxy that uploads, downloads, lists and deletes files.</summary>
public static class ArtifactEndpoints
{
    private static readonly string[] ProxyPrefixes = ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"];
    internal static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void MapArtifactEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<TrackingService>("artifacts/list", ["GET"], async (call, tracking) =>
        {
            var path = MlflowPath(call.Request.String("path"), allowEmpty: true);
            var (rootUri, files) = await tracking.ListRunArtifactsAsync(call.Request.RequiredString("run_id", "run_uuid"), path, call.Ct);
            call.Json.WriteString("root_uri", rootUri);
            MlflowJson.WriteFiles(call.Json, files);
        });

        foreach (var prefix in ProxyPrefixes)
        {
            app.MapGet(prefix, ListAsync);
            app.MapGet(prefix + "/{**path}", DownloadAsync);
            app.MapPut(prefix + "/{**path}", UploadAsync);
            app.MapPost(prefix + "/{**path}", UploadAsync);
            app.MapDelete(prefix + "/{**path}", DeleteAsync);
        }
    }

    /// <summary>
    /// A request's artifact path, validated as MLflow answers: an unsafe one (<c>..</c>, absolute, encoded separators) is
    /// INVALID_PARAMETER_VALUE with exactly MLflow's message, "Invalid path", which its clients match on.
    /// </summary>
    internal static string MlflowPath(string? path, bool allowEmpty = false)
    {
        if (string.IsNullOrEmpty(path) && !allowEmpty)
        {
            return ArtifactPath.Normalize(path);
        }
        try
        {
            return ArtifactPath.Normalize(path, allowEmpty);
        }
        catch (KilnException e) when (e.Code == ErrorCode.InvalidParameterValue)
        {
            throw KilnException.Invalid("Invalid path");
        }
    }

    /// <summary>
    /// Headers for a file anyone with access may have uploaded: no type sniffing, and a sandboxed document (no script,
    /// an origin of its own), so an HTML or SVG artifact opened from a link cannot act as the console or call the API.
    /// </summary>
    internal static void Untrusted(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "sandbox";
    }

    private static IArtifactStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IArtifactStore>();

    private static string PathOf(HttpContext context) => MlflowPath(context.Request.RouteValues["path"] as string);

    private static async Task ListAsync(HttpContext context)
    {
        var path = MlflowPath(context.Request.Query["path"].ToString(), allowEmpty: true);
        var entries = await Store(context).ListAsync(path, context.RequestAborted);
        await WriteJsonAsync(context, json => MlflowJson.WriteFiles(json, [.. entries.Select(e => e with { Path = e.Path[(e.Path.LastIndexOf('/') + 1)..] })]));
    }

    private static async Task DownloadAsync(HttpContext context)
    {
        var path = PathOf(context);
        await using var stream = await Store(context).OpenReadAsync(path, context.RequestAborted);
        context.Response.ContentType = ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
        ArtifactEndpoints.Untrusted(context.Response);
        if (stream.CanSeek)
        {
            context.Response.ContentLength = stream.Length;
        }
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task UploadAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        await Store(context).WriteAsync(PathOf(context), context.Request.Body, context.RequestAborted);
        await WriteJsonAsync(context, _ => { });
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        await Store(context).DeleteAsync(PathOf(context), context.RequestAborted);
        await WriteJsonAsync(context, _ => { });
    }

    internal static async Task WriteJsonAsync(HttpContext context, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(context.Response.Body, MlflowJson.WriterOptions);
        json.WriteStartObject();
        write(json);
        json.WriteEndObject();
    }
}
