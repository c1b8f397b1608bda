using System.Buffers;
using System.Text.Json;

namespace Kiln.Server.Http;

/// <summary>
/// Maps JSON endpoints for any surface: the request is read with a body limit into an <see cref="ApiRequest"/>, the
/// handler writes the response object's properties, and the response is sent with its length. Errors are left to
/// <see cref="ErrorHandling"/>, which answers in the envelope of the surface the path belongs to.
/// </summary>
public static class JsonEndpoints
{
    /// <summary>Default body limit for JSON endpoints.</summary>
    public const int DefaultMaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Maps <paramref name="handler"/> at <paramref name="path"/> for <paramref name="methods"/>.</summary>
    public static void MapJson(this IEndpointRouteBuilder app, string path, string[] methods, ApiHandler handler, JsonWriterOptions writerOptions,
        int maxBodyBytes = DefaultMaxBodyBytes) =>
        app.MapMethods(path, methods, context => HandleAsync(context, handler, writerOptions, maxBodyBytes));

    /// <summary>Maps a handler that takes the service <typeparamref name="TService"/> from the host's container.</summary>
    public static void MapJson<TService>(this IEndpointRouteBuilder app, string path, string[] methods, ApiHandler<TService> handler, JsonWriterOptions writerOptions,
        int maxBodyBytes = DefaultMaxBodyBytes)
        where TService : notnull =>
        app.MapJson(path, methods, call => handler(call, call.Service<TService>()), writerOptions, maxBodyBytes);

    private static async Task HandleAsync(HttpContext context, ApiHandler handler, JsonWriterOptions writerOptions, int maxBodyBytes)
    {
        using var request = await ApiRequest.ReadAsync(context, maxBodyBytes);
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var json = new Utf8JsonWriter(buffer, writerOptions))
        {
            json.WriteStartObject();
            await handler(new ApiCall(context, request, json));
            json.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
