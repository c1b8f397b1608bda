using System.Reflection;
using Kiln.Server.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Kiln.Server.Console;

/// <summary>
/// The web console at <c>/</c>: the built TypeScript app (Console/web, embedded in this assembly as <c>console/…</c>
/// resources), served by kiln server itself, so it works with no network beyond the server. Its pages call the REST API.
/// </summary>
public sealed class ConsoleSurface : IEndpointSurface
{
    private static readonly Assembly Assembly = typeof(ConsoleSurface).Assembly;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/assets")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", context => ServeAsync(context, "index.html", immutable: false));
        app.MapGet("/index.html", context => ServeAsync(context, "index.html", immutable: false));
        // Built asset names carry a content hash, so they can be cached for good.
        app.MapGet("/assets/{file}", context => ServeAsync(context, "assets/" + (string)context.Request.RouteValues["file"]!, immutable: true));
    }

    private static async Task ServeAsync(HttpContext context, string path, bool immutable)
    {
        await using var stream = Assembly.GetManifestResourceStream("console/" + path);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"error_code":"ENDPOINT_NOT_FOUND","message":"No console file {{path.Replace("\"", "", StringComparison.Ordinal)}}."}""");
            return;
        }
        context.Response.ContentType = ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
        context.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        context.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
