using Kiln.Client.Http;

namespace Kiln.Client;

/// <summary>
/// The .NET SDK for Kiln's tracking server (and any MLflow-compatible server): typed calls for experiments,
/// runs, metrics, params, tags, dataset inputs, search and artifacts, plus <see cref="StartRunAsync"/> for a run
/// whose <c>LogMetric</c> returns at once and sends in background batches.
/// </summary>
public sealed partial class KilnClient : IDisposable
{
    private readonly RestChannel _rest;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;

    /// <summary>Connects to a server such as <c>http://127.0.0.1:5000</c>; pass an <see cref="HttpClient"/> to share one.</summary>
    /// <param name="trackingUri">The server's base address; it may include a path prefix (a trailing <c>/</c> is added if missing).</param>
    /// <param name="http">The client to send requests with, left to its owner on <see cref="Dispose"/>; null (the default) creates one with a 120-second timeout.</param>
    /// <param name="time">The clock for timestamps the caller does not give (metric points, run start and end); null is the system clock.</param>
    public KilnClient(Uri trackingUri, HttpClient? http = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var baseUri = trackingUri.AbsoluteUri.EndsWith('/') ? trackingUri : new Uri(trackingUri.AbsoluteUri + "/");
        _ownsHttp = http is null;
        _rest = new RestChannel(http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(120) }, baseUri);
    }

    /// <summary>Connects to <c>$KILN_TRACKING_URI</c>, else <c>$MLFLOW_TRACKING_URI</c>, else <c>http://127.0.0.1:5000</c>.</summary>
    public static KilnClient FromEnvironment() => new(new Uri(
        Environment.GetEnvironmentVariable("KILN_TRACKING_URI") ?? Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI") ?? "http://127.0.0.1:5000"));

    /// <summary>Now in Unix milliseconds, from the client's clock.</summary>
    internal long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The server's base address.</summary>
    public Uri TrackingUri => _rest.BaseUri;

    /// <summary>Disposes the <see cref="HttpClient"/> this client created; one passed to the constructor is not disposed.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _rest.Http.Dispose();
        }
    }
}
