using System.Buffers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Json;

namespace Kiln.Server.Http;

/// <summary>
/// A JSON API request's parameters, for any surface: from the query string for GET and DELETE, from the JSON body
/// otherwise (read with a per-endpoint size limit). Values follow protobuf JSON's rules (<see cref="Kiln.Core.Json.JsonValues"/>):
/// int64 as numbers or strings, doubles as numbers or "NaN"/"Infinity". Missing or mistyped parameters raise
/// INVALID_PARAMETER_VALUE naming the parameter.
/// </summary>
public sealed class ApiRequest : IDisposable
{
    private readonly IQueryCollection _query;
    private readonly ReadOnlyMemory<byte> _body;
    private JsonDocument? _parsed;

    private ApiRequest(ReadOnlyMemory<byte> body, IQueryCollection query)
    {
        _body = body;
        _query = query;
    }

    /// <summary>The raw JSON body (empty for GET), for endpoints that stream-parse it.</summary>
    public ReadOnlyMemory<byte> RawBody => _body;

    /// <summary>The JSON body's root object, when the request has one.</summary>
    public JsonElement? Body => Document?.RootElement;

    /// <summary>The body parsed on first use (null for GET or an empty body).</summary>
    private JsonDocument? Document
    {
        get
        {
            if (_parsed is not null || _body.IsEmpty)
            {
                return _parsed;
            }
            try
            {
                _parsed = JsonDocument.Parse(_body);
            }
            catch (JsonException e)
            {
                throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
            }
            if (_parsed.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw KilnException.Invalid("The request body must be a JSON object.");
            }
            return _parsed;
        }
    }

    /// <summary>Reads the request; bodies larger than <paramref name="maxBodyBytes"/> are rejected.</summary>
    public static async Task<ApiRequest> ReadAsync(HttpContext context, int maxBodyBytes)
    {
        var request = context.Request;
        // a DELETE reads its JSON body when it has one (MLflow's Python client sends one), else its query string
        if (HttpMethods.IsGet(request.Method) || (HttpMethods.IsDelete(request.Method) && request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return new ApiRequest(ReadOnlyMemory<byte>.Empty, request.Query);
        }
        if (request.ContentLength > maxBodyBytes)
        {
            throw TooLarge(request.ContentLength.Value, maxBodyBytes);
        }
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var n ? (int)n : 4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(8192), context.RequestAborted);
            if (read == 0)
            {
                break;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBodyBytes)
            {
                throw TooLarge(buffer.WrittenCount, maxBodyBytes);
            }
        }
        return new ApiRequest(buffer.WrittenMemory, request.Query);
    }

    private static KilnException TooLarge(long size, int max) =>
        KilnException.Invalid($"The request body is {size} bytes, over the limit of {max} bytes for this endpoint: split it into smaller requests.");

    /// <summary>A required string (MLflow's message when missing).</summary>
    public string RequiredString(string name) => String(name) is { } value ? value : throw JsonValues.Missing(name);

    /// <summary>The first of several accepted names that is present (e.g. run_id, then run_uuid).</summary>
    public string RequiredString(string name, string alternative) => String(name) ?? String(alternative) ?? throw JsonValues.Missing(name);

    public string? String(string name)
    {
        if (Document is null)
        {
            return _query.TryGetValue(name, out var values) ? values.ToString() : null;
        }
        if (!Document.RootElement.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return JsonValues.String(element, name);
    }

    public long? Int64(string name)
    {
        if (Document is null)
        {
            return _query.TryGetValue(name, out var values) ? JsonValues.ParseInt64(values.ToString(), name) : null;
        }
        return Document.RootElement.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null ? JsonValues.Int64(element, name) : null;
    }

    public int? Int32(string name)
    {
        var value = Int64(name);
        return value is null ? null : value is >= int.MinValue and <= int.MaxValue ? (int)value : throw JsonValues.InvalidValue(name, value.ToString()!);
    }

    /// <summary>A boolean: JSON true/false, or the text "true"/"false" (any case) in a query or string.</summary>
    public bool? Bool(string name)
    {
        if (Document is not null && Document.RootElement.TryGetProperty(name, out var element) && element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }
        return String(name) switch
        {
            null => null,
            var text when bool.TryParse(text, out var value) => value,
            var text => throw JsonValues.InvalidValue(name, text),
        };
    }

    /// <summary>A list of strings: a JSON array, or a repeated query parameter.</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        if (Document is null)
        {
            return _query.TryGetValue(name, out var values) ? [.. values.Where(v => v is not null).Select(v => v!)] : [];
        }
        if (!Document.RootElement.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw JsonValues.InvalidValue(name, JsonValues.Display(element));
        }
        var list = new List<string>(element.GetArrayLength());
        foreach (var item in element.EnumerateArray())
        {
            list.Add(JsonValues.String(item, name));
        }
        return list;
    }

    /// <summary>The objects of a JSON array parameter (empty if absent).</summary>
    public IEnumerable<JsonElement> Objects(string name)
    {
        if (Document is null || !Document.RootElement.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        return element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : throw JsonValues.InvalidValue(name, JsonValues.Display(element));
    }

    public void Dispose() => _parsed?.Dispose();
}
