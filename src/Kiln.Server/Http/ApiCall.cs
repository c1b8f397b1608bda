using System.Text.Json;
using Kiln.Engine.Tracking;

namespace Kiln.Server.Http;

/// <summary>One API call in progress: its parameters, the JSON response being written (inside the root object), and the services.</summary>
public sealed class ApiCall(HttpContext http, ApiRequest request, Utf8JsonWriter json, TrackingService tracking)
{
    public HttpContext Http { get; } = http;

    public ApiRequest Request { get; } = request;

    /// <summary>The response writer, positioned inside the response's root object.</summary>
    public Utf8JsonWriter Json { get; } = json;

    public TrackingService Tracking { get; } = tracking;

    public CancellationToken Ct => Http.RequestAborted;
}

/// <summary>Handles one API call by writing the response object's properties.</summary>
public delegate Task ApiHandler(ApiCall call);
