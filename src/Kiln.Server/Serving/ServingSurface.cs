using System.Buffers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// MLflow's scoring protocol for deployments: <c>POST /deployments/NAME/invocations</c> (and <c>POST /invocations</c> when
/// the store has one deployment), <c>GET /ping</c>. The route is the <c>Kiln-Route</c> header's or drawn by weight; the
/// answer carries <c>Kiln-Route</c> and <c>Kiln-Model-Version</c>; shadow routes score a copy after the answer is sent.
/// </summary>
public sealed class ServingSurface(ILogger<ServingSurface> logger) : IEndpointSurface
{
    /// <summary>Largest request body.</summary>
    public const int MaxBodyBytes = 8 << 20;

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/deployments"), new("/invocations"), new("/ping")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", () => Results.Text("\n"));
        app.MapPost("/deployments/{name}/invocations", (HttpContext context, string name) => InvokeAsync(context, name));
        app.MapPost("/invocations", async context =>
        {
            if (context.RequestServices.GetService<ServingDefaults>() is { } defaults)
            {
                await InvokeAsync(context, defaults.Deployment);
                return;
            }
            var all = await context.RequestServices.GetRequiredService<IDeploymentStore>().ListAsync(context.RequestAborted);
            if (all.Count != 1)
            {
                throw KilnException.Invalid(all.Count == 0
                    ? "No deployment exists: create one with kiln deploy create NAME --route champion=models:/NAME@champion."
                    : $"There are {all.Count} deployments ({string.Join(", ", all.Select(d => d.Name))}): post to /deployments/NAME/invocations.");
            }
            await InvokeAsync(context, all[0].Name);
        });
    }

    private async Task InvokeAsync(HttpContext context, string name)
    {
        var metrics = context.RequestServices.GetRequiredService<ServingMetrics>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var labels = new Labels();
        try
        {
            await ScoreAsync(context, Uri.UnescapeDataString(name), metrics, labels);
            metrics.Request(name, labels.Route, labels.Version, 200, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.Request(name, labels.Route, labels.Version, ServingMetrics.Status(e), System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            throw;
        }
    }

    /// <summary>The route and version of a request, filled in as they become known (a failure is counted under them).</summary>
    private sealed class Labels
    {
        public string Route { get; set; } = "";

        public string Version { get; set; } = "";
    }

    private async Task ScoreAsync(HttpContext context, string name, ServingMetrics metrics, Labels labels)
    {
        var ct = context.RequestAborted;
        var deployment = await context.RequestServices.GetRequiredService<IDeploymentStore>().GetAsync(name, ct);
        var route = Router.Pick(deployment, context.Request.Headers["Kiln-Route"].ToString());
        labels.Route = route.Name;
        var models = context.RequestServices.GetRequiredService<ServedModels>();
        ServedModel served;
        try
        {
            served = await models.GetAsync(route.Model, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.LoadFailure(route.Model);
            throw;
        }
        labels.Version = served.Version is { } mv ? mv.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var body = await ReadBodyAsync(context);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var table = context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true
            ? ScoringPayload.ReadCsv(System.Text.Encoding.UTF8.GetString(body), served.Model.Schema)
            : ScoringPayload.ReadJson(Parse(body), served.Model.Schema);
        var outputs = await served.PredictAsync(table, route.Batching, ct);
        var latency = clock.Elapsed.TotalMilliseconds;
        metrics.Predictions(deployment.Name, route.Name, served.Model.Schema.Task, outputs, table.RowCount);
        var log = context.RequestServices.GetRequiredService<PredictionLogWriter>();
        var requestId = RequestId(context);
        var logged = log.Sample();
        if (logged)
        {
            Log(log, deployment.Name, route, served, table, outputs, requestId, latency);
        }
        context.Response.Headers["Kiln-Request-Id"] = requestId;
        context.Response.Headers["Kiln-Route"] = route.Name;
        if (served.Version is { } version)
        {
            context.Response.Headers["Kiln-Model-Version"] = $"{version.Name}/{version.Version}";
        }
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            ScoringPayload.WritePredictions(json, served.Model.Schema, outputs, table.RowCount);
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
        foreach (var shadow in deployment.Routes.Where(r => r.Shadow))
        {
            // a copy of the request, scored after the answer left; its answer is never returned (the prediction log will keep it)
            _ = Task.Run(async () =>
            {
                try
                {
                    var model = await models.GetAsync(shadow.Model, CancellationToken.None);
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var shadowOutputs = await model.PredictAsync(table, shadow.Batching, CancellationToken.None);
                    if (logged)
                    {
                        Log(log, deployment.Name, shadow, model, table, shadowOutputs, requestId, watch.Elapsed.TotalMilliseconds);
                    }
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Shadow route {Route} of deployment {Deployment} failed", shadow.Name, deployment.Name);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>The caller's <c>Kiln-Request-Id</c> (letters, digits, '-', '_', '.', ':' up to 128), else a new one: ground truth is posted against it.</summary>
    private static string RequestId(HttpContext context)
    {
        var given = context.Request.Headers["Kiln-Request-Id"].ToString();
        return given.Length is > 0 and <= 128 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':') ? given : Guid.NewGuid().ToString("N");
    }

    /// <summary>
    /// Queues one record per row (the first row under the request id, the others as ID:ROW); the rows' JSON is built by the
    /// log's writer, not on this request. Never waits.
    /// </summary>
    private static void Log(PredictionLogWriter log, string deployment, DeploymentRoute route, ServedModel served, Kiln.Tabular.Table table, double[] outputs, string requestId, double latency)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        log.TryLog(() => [.. Enumerable.Range(0, table.RowCount).Select(row => new PredictionRecord(row == 0 ? requestId : $"{requestId}:{row}", deployment, route.Name,
            served.Version?.Name, served.Version?.Version, now, latency, ScoringPayload.InputsJson(table, served.Model.Schema, row),
            ScoringPayload.OutputJson(served.Model.Schema, outputs, row), route.Shadow))]);
    }

    private static JsonElement Parse(byte[] body)
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

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge(context.Request.ContentLength.Value);
        }
        using var memory = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            memory.Write(chunk, 0, read);
            if (memory.Length > MaxBodyBytes)
            {
                throw TooLarge(memory.Length);
            }
        }
        return memory.ToArray();
    }

    private static KilnException TooLarge(long size) =>
        new(ErrorCode.RequestTooLarge, $"The request body is {size:N0} bytes, over the limit of {MaxBodyBytes:N0}: send fewer rows per request.");
}

/// <summary>What a serving-only replica serves at <c>/invocations</c>.</summary>
/// <param name="Deployment">The deployment's name.</param>
public sealed record ServingDefaults(string Deployment);
