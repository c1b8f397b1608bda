using Kiln.Core.Errors;
using Kiln.Engine.Serving;
using Kiln.Learn;
using Kiln.Server.Http;
using Prometheus;

namespace Kiln.Server.Serving;

/// <summary>
/// Serving's Prometheus metrics (prometheus-net, one registry per server): requests by deployment, route, model version
/// and status; latency; the distribution of what is predicted; model load failures. Exposed at <c>/metrics</c>. Each request
/// is also counted in <see cref="ServingTraffic"/>, which the replica heartbeat reports to the store.
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Histogram _predictions;
    private readonly Counter _loadFailures;
    private readonly ServingTraffic _traffic;

    /// <summary>Creates the metrics in a fresh registry; requests are also counted in <paramref name="traffic"/>, and the
    /// prediction log's backlog and dropped rows are read from <paramref name="log"/> at each scrape.</summary>
    public ServingMetrics(ServingTraffic traffic, Engine.Serving.PredictionLogWriter? log = null)
    {
        _traffic = traffic;
        var factory = Metrics.WithCustomRegistry(Registry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars(); // no tracing here: an exemplar lookup per observed prediction is pure cost
        _requests = factory.CreateCounter("kiln_serving_requests_total", "Scoring requests by deployment, route, model version and HTTP status.",
            "deployment", "route", "version", "status");
        _latency = factory.CreateHistogram("kiln_serving_request_duration_seconds", "Time to read, score and answer a scoring request.",
            new HistogramConfiguration { LabelNames = ["deployment", "route"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        _predictions = factory.CreateHistogram("kiln_serving_prediction", "What was predicted: a binary classifier's probability, a regressor's value.",
            new HistogramConfiguration { LabelNames = ["deployment", "route"], Buckets = Histogram.LinearBuckets(0.1, 0.1, 9) });
        _loadFailures = factory.CreateCounter("kiln_serving_model_load_failures_total", "Models that failed to load (the previous version kept serving).", "model");
        if (log is not null)
        {
            var queued = factory.CreateGauge("kiln_prediction_log_queued_rows", "Served rows waiting for the prediction log's writer.");
            var dropped = factory.CreateCounter("kiln_prediction_log_dropped_rows_total",
                "Served rows the prediction log dropped: its queue was full (the store wrote slower than requests came) or their write kept failing.");
            var shed = factory.CreateCounter("kiln_prediction_log_shed_rows_total",
                "Served rows not logged to keep the log within its CPU budget (KILN_PREDICTION_LOG_BUDGET) while the machine was saturated.");
            var keep = factory.CreateGauge("kiln_prediction_log_keep_ratio", "The share of requests the prediction log keeps now (1: all; lower while its CPU budget is spent).");
            Registry.AddBeforeCollectCallback(() =>
            {
                queued.Set(log.QueuedRows);
                dropped.IncTo(log.Dropped);
                shed.IncTo(log.Shed);
                keep.Set(log.Budget.Keep);
            });
        }
    }

    /// <summary>Counts a request.</summary>
    public void Request(string deployment, string route, string version, int status, double seconds)
    {
        _requests.WithLabels(deployment, route, version, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        if (route.Length > 0)
        {
            _latency.WithLabels(deployment, route).Observe(seconds);
            _traffic.Record(deployment, route, status >= 400, seconds * 1000);
        }
    }

    /// <summary>Records a request's predictions (binary probabilities and regression values).</summary>
    public void Predictions(string deployment, string route, TaskKind task, double[] outputs, int rows)
    {
        if (task == TaskKind.MulticlassClassification)
        {
            return;
        }
        var histogram = _predictions.WithLabels(deployment, route);
        for (var r = 0; r < rows; r++)
        {
            histogram.Observe(outputs[r]);
        }
    }

    /// <summary>Counts a failed model load.</summary>
    public void LoadFailure(string model) => _loadFailures.WithLabels(model).Inc();

    /// <summary>The HTTP status a failure is answered with.</summary>
    public static int Status(Exception e) => e is KilnException k ? k.Code.HttpStatus() : 500;
}

/// <summary><c>GET /metrics</c> in Prometheus' text format.</summary>
public sealed class MetricsSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/metrics")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.RequestServices.GetRequiredService<ServingMetrics>().Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
}
