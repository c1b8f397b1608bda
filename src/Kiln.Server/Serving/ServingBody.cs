using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Kiln.Server.Serving;

/// <summary>Reads a scoring request's body over HTTP, up to <see cref="ServingLimits.MaxBodyBytes"/> (past it, 413 naming the limit and how to raise it).</summary>
public static class ServingBody
{
    /// <summary>The whole body, in a pooled array when the request announces its length (dispose it once nothing read
    /// from the body points into it any more: a 1,000-row body would otherwise be a large-object allocation per request).</summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, ServingLimits limits)
    {
        if (context.Request.ContentLength > limits.MaxBodyBytes)
        {
            throw limits.BodyTooLarge(context.Request.ContentLength.Value);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null; // the serving limit below applies, not the server's default for other routes
        }
        if (context.Request.ContentLength is { } length)
        {
            // the usual case: read straight into a buffer of the announced size (no growing copies)
            var body = RequestBody.Rent((int)length);
            var at = 0;
            while (at < length)
            {
                var got = await context.Request.Body.ReadAsync(body.Array.AsMemory(at, (int)length - at), context.RequestAborted);
                if (got == 0)
                {
                    body.Dispose();
                    throw KilnException.Invalid($"The request body ended after {at} of the {length} bytes its Content-Length announced.");
                }
                at += got;
            }
            return body;
        }
        using var memory = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16_384);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                memory.Write(chunk, 0, read);
                if (memory.Length > limits.MaxBodyBytes)
                {
                    throw limits.BodyTooLarge(memory.Length);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return new RequestBody(memory.ToArray());
    }

    /// <summary>
    /// An Open Inference Protocol REST body: its JSON, and — with the binary tensor data extension, where the
    /// <c>Inference-Header-Content-Length</c> header gives the JSON's length in bytes — the tensor bytes that follow it.
    /// </summary>
    public static async Task<(JsonElement Json, ReadOnlyMemory<byte> Binary, RequestBody Body)> ReadInferenceAsync(HttpContext context, ServingLimits limits)
    {
        var body = await ReadAsync(context, limits);
        if (context.Request.Headers[InferenceHeaderLength] is not { Count: > 0 } header)
        {
            return (Parse(body.Span), default, body);
        }
        if (!int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 2 || length > body.Span.Length)
        {
            var message = $"{InferenceHeaderLength} is '{header}', but it must be the length in bytes of the JSON that starts the body (2 to {body.Span.Length} here), the tensors' binary data following it.";
            body.Dispose();
            throw KilnException.Invalid(message);
        }
        return (Parse(body.Span[..length]), body.Memory[length..], body);
    }

    /// <summary>The binary tensor data extension's header: the length of the JSON before the binary data.</summary>
    public const string InferenceHeaderLength = "Inference-Header-Content-Length";

    /// <summary>Parses JSON bytes; malformed JSON is INVALID_PARAMETER_VALUE.</summary>
    public static JsonElement Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(body); // one parse into an element that owns its data (no Clone copy)
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
        }
    }
}
