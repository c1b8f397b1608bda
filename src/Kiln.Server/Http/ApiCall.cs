using System.Text.Json;

namespace Kiln.Server.Http;

/// <summary>One JSON API call in progress: its parameters, the response being written (inside the root object) and the request's services.</summary>
public sealed class ApiCall(HttpContext http, ApiRequest request, Utf8JsonWriter json)
{
    /// <summary>The HTTP exchange.</summary>
    public HttpContext Http { get; } = http;

    /// <summary>The request's parameters.</summary>
    public ApiRequest Request { get; } = request;

    /// <summary>The response writer, positioned inside the response's root object.</summary>
    public Utf8JsonWriter Json { get; } = json;

    /// <summary>Cancelled when the client goes away.</summary>
    public CancellationToken Ct => Http.RequestAborted;

    /// <summary>A service from the host's container (what the feature registered with <c>AddKiln…()</c>).</summary>
    public T Service<T>()
        where T : notnull => Http.RequestServices.GetRequiredService<T>();
}

/// <summary>Handles one API call by writing the response object's properties.</summary>
public delegate Task ApiHandler(ApiCall call);

/// <summary>Handles one API call with the service it needs, resolved from the host's container.</summary>
public delegate Task ApiHandler<in TService>(ApiCall call, TService service);
