using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Mlflow;

namespace Kiln.Client.Http;

/// <summary>JSON over HTTP to a Kiln (or MLflow) server; error envelopes become <see cref="KilnException"/> with the server's code.</summary>
internal sealed class RestChannel(HttpClient http, Uri baseUri)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Uri BaseUri { get; } = baseUri;

    public HttpClient Http { get; } = http;

    public Uri Api(string path) => new(BaseUri, "api/2.0/mlflow/" + path);

    /// <summary>The artifact proxy's address for a path relative to the server's artifact root (each segment escaped).</summary>
    public Uri ArtifactsApi(string path) =>
        new(BaseUri, "api/2.0/mlflow-artifacts/artifacts/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString)));

    public Task<JsonDocument> PostAsync(string path, Action<Utf8JsonWriter> body, CancellationToken ct) => SendJsonAsync(HttpMethod.Post, path, body, ct);

    /// <summary>An MLflow API call with a JSON body (POST, PATCH, or DELETE as MLflow's client sends it).</summary>
    public async Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, MlflowJson.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = Json;
        using var response = await SendAsync(new HttpRequestMessage(method, Api(path)) { Content = content }, HttpCompletionOption.ResponseContentRead, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>A GET of Kiln's own API (a path under the base address, e.g. <c>api/kiln/datasets</c>).</summary>
    public async Task<JsonDocument> GetKilnAsync(string path, IEnumerable<(string Name, string? Value)> query, CancellationToken ct)
    {
        var qs = string.Join("&", query.Where(q => q.Value is not null).Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value!)}"));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, path + (qs.Length > 0 ? "?" + qs : ""))), HttpCompletionOption.ResponseContentRead, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Any request to Kiln's own API, with an optional body (JSON from a writer, or raw content).</summary>
    public async Task<JsonDocument> SendKilnAsync(HttpMethod method, string path, Action<Utf8JsonWriter>? body, HttpContent? raw, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUri, path));
        if (body is not null)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                body(writer);
                writer.WriteEndObject();
            }
            request.Content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
            request.Content.Headers.ContentType = Json;
        }
        else if (raw is not null)
        {
            request.Content = raw;
        }
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return await ReadAsync(response, ct);
    }

    public async Task<JsonDocument> GetAsync(string path, IEnumerable<(string Name, string? Value)> query, CancellationToken ct)
    {
        var qs = string.Join("&", query.Where(q => q.Value is not null).Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value!)}"));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Api(path) + (qs.Length > 0 ? "?" + qs : ""))), HttpCompletionOption.ResponseContentRead, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Sends a request; a server that cannot be reached is a TEMPORARILY_UNAVAILABLE error naming its address.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        using (request)
        {
            // who is calling, for the registry's history and the audit log (the server takes it as said until auth exists)
            request.Headers.TryAddWithoutValidation("X-Kiln-User", Environment.UserName);
            try
            {
                return await Http.SendAsync(request, completion, ct);
            }
            catch (HttpRequestException e)
            {
                throw new KilnException(ErrorCode.TemporarilyUnavailable,
                    $"Cannot reach the tracking server at {BaseUri}: {e.Message} Check that the server is running and that the address is right.", e);
            }
        }
    }

    public static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            return bytes.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(bytes);
        }
        throw ToException(response, bytes);
    }

    public static KilnException ToException(HttpResponseMessage response, byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error_code", out var code) && doc.RootElement.TryGetProperty("message", out var message))
            {
                return new KilnException(ErrorCodes.FromWireName(code.GetString()), message.GetString() ?? "");
            }
        }
        catch (JsonException)
        {
        }
        var code2 = (int)response.StatusCode >= 500 ? ErrorCode.TemporarilyUnavailable : ErrorCode.BadRequest;
        return new KilnException(code2, $"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
    }
}
