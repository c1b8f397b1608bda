using System.Text.Json;
using Kiln.Core.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Kiln.Server.Serving;

/// <summary>Reads a scoring request's body over HTTP, up to <see cref="ServingLimits.MaxBodyBytes"/> (past it, 413 naming the limit and how to raise it).</summary>
public static class ServingBody
{
    /// <summary>The whole body.</summary>
    public static async Task<byte[]> ReadAsync(HttpContext context, ServingLimits limits)
    {
        if (context.Request.ContentLength > limits.MaxBodyBytes)
        {
            throw limits.BodyTooLarge(context.Request.ContentLength.Value);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null; // the serving limit below applies, not the server's default for other routes
        }
        using var memory = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            memory.Write(chunk, 0, read);
            if (memory.Length > limits.MaxBodyBytes)
            {
                throw limits.BodyTooLarge(memory.Length);
            }
        }
        return memory.ToArray();
    }

    /// <summary>The body parsed as JSON; malformed JSON is INVALID_PARAMETER_VALUE.</summary>
    public static async Task<JsonElement> ReadJsonAsync(HttpContext context, ServingLimits limits) => Parse(await ReadAsync(context, limits));

    /// <summary>Parses JSON bytes; malformed JSON is INVALID_PARAMETER_VALUE.</summary>
    public static JsonElement Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
        }
    }
}
