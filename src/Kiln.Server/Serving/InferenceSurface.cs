using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Server.Http;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Server.Serving;

/// <summary>
/// The Open Inference Protocol v2 over REST (KServe, Triton): <c>/v2/health/live|ready</c>, <c>/v2/models/NAME[/versions/V]</c>
/// (metadata), <c>…/ready</c> and <c>POST …/infer</c>, where NAME is a deployment. Each feature is an input tensor by name
/// (shape <c>[rows]</c> or <c>[rows, 1]</c>; FP32/FP64/INT*/BOOL for numbers, BYTES for categories); outputs are
/// <c>probability</c>/<c>prediction</c> (classifiers) or <c>prediction</c> (regression). Errors are <c>{"error": …}</c>.
/// </summary>
public sealed class InferenceSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/v2")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => Envelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }));
        app.MapGet("/v2/health/ready", () => Results.Json(new { ready = true }));
        app.MapGet("/v2", () => Results.Json(new { name = "kiln", version = KilnServer.Version, extensions = Array.Empty<string>() }));
        foreach (var prefix in new[] { "/v2/models/{name}", "/v2/models/{name}/versions/{version}" })
        {
            app.MapGet(prefix, MetadataAsync);
            app.MapGet(prefix + "/ready", async (HttpContext context, string name) =>
            {
                var (_, served) = await ResolveAsync(context, name, null);
                return Results.Json(new { name, ready = served is not null });
            });
            app.MapPost(prefix + "/infer", InferAsync);
        }
    }

    private static async Task<(DeploymentRoute Route, ServedModel Served)> ResolveAsync(HttpContext context, string name, string? pinned)
    {
        var deployment = await context.RequestServices.GetRequiredService<IDeploymentStore>().GetAsync(name, context.RequestAborted);
        var route = Router.Pick(deployment, pinned ?? context.Request.Headers["Kiln-Route"].ToString());
        return (route, await context.RequestServices.GetRequiredService<ServedModels>().GetAsync(route.Model, context.RequestAborted));
    }

    private static async Task<IResult> MetadataAsync(HttpContext context, string name)
    {
        var (_, served) = await ResolveAsync(context, name, null);
        var schema = served.Model.Schema;
        return Results.Json(new
        {
            name,
            versions = served.Version is { } v ? new[] { v.Version.ToString(CultureInfo.InvariantCulture) } : [],
            platform = "kiln",
            inputs = schema.Features.Select(f => new { name = f.Name, datatype = f.Kind == FeatureKind.Categorical ? "BYTES" : "FP64", shape = new[] { -1 } }),
            outputs = Outputs(schema).Select(o => new { name = o.Name, datatype = o.Type, shape = new[] { -1 } }),
        });
    }

    private static async Task InferAsync(HttpContext context, string name)
    {
        var version = context.Request.RouteValues.TryGetValue("version", out var v) ? v as string : null;
        var (route, served) = await ResolveAsync(context, name, null);
        if (version is not null && served.Version is { } actual && actual.Version.ToString(CultureInfo.InvariantCulture) != version)
        {
            throw KilnException.NotFound($"Deployment '{name}' serves version {actual.Version} on route '{route.Name}', not version {version}.");
        }
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
        }
        using var _ = doc;
        var body = doc.RootElement;
        var schema = served.Model.Schema;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw KilnException.Invalid("The request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …].");
        }
        var tensors = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var tensor in inputs.EnumerateArray())
        {
            var tensorName = tensor.ValueKind == JsonValueKind.Object && tensor.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!
                : throw KilnException.Invalid("Every input needs a \"name\" (the feature it carries).");
            if (!tensors.TryAdd(tensorName, tensor))
            {
                throw KilnException.Invalid($"Input '{tensorName}' is given twice.");
            }
        }
        var missing = schema.Features.Where(f => !tensors.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid($"Missing input tensor(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}: the model needs {string.Join(", ", schema.Features.Select(f => f.Name))}.");
        }
        var rows = -1;
        var columns = new List<Column>();
        foreach (var feature in schema.Features)
        {
            var tensor = tensors[feature.Name];
            var data = tensor.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array ? Flatten(d).ToList()
                : throw KilnException.Invalid($"Input '{feature.Name}' has no \"data\" array.");
            if (rows >= 0 && data.Count != rows)
            {
                throw KilnException.Invalid($"Input '{feature.Name}' has {data.Count} values, other inputs {rows}: every input needs one value per row.");
            }
            rows = data.Count;
            if (feature.Kind == FeatureKind.Categorical)
            {
                columns.Add(CategoricalColumn.FromValues(feature.Name, data.Select(x => x.ValueKind == JsonValueKind.Null ? null : x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())));
            }
            else
            {
                columns.Add(new Float64Column(feature.Name, [.. data.Select((x, i) => x.ValueKind switch
                {
                    JsonValueKind.Number => x.GetDouble(),
                    JsonValueKind.True => 1.0,
                    JsonValueKind.False => 0.0,
                    JsonValueKind.Null => double.NaN,
                    _ => throw KilnException.Invalid($"Input '{feature.Name}', element {i}: {x.GetRawText()} is not a number (send the tensor as FP64)."),
                })]));
            }
        }
        var outputs = await served.PredictAsync(new Table(columns), route.Batching, context.RequestAborted);
        context.Response.ContentType = "application/json";
        context.Response.Headers["Kiln-Route"] = route.Name;
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model_name", name);
            if (served.Version is { } sv)
            {
                w.WriteString("model_version", sv.Version.ToString(CultureInfo.InvariantCulture));
            }
            if (body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                w.WriteString("id", id.GetString());
            }
            w.WriteStartArray("outputs");
            foreach (var (outputName, type) in Outputs(schema))
            {
                w.WriteStartObject();
                w.WriteString("name", outputName);
                w.WriteString("datatype", type);
                w.WriteStartArray("shape");
                w.WriteNumberValue(rows);
                w.WriteEndArray();
                w.WriteStartArray("data");
                for (var r = 0; r < rows; r++)
                {
                    if (outputName == "probability")
                    {
                        w.WriteNumberValue(outputs[r]);
                    }
                    else if (schema.Task == TaskKind.Regression)
                    {
                        w.WriteNumberValue(outputs[r]);
                    }
                    else
                    {
                        w.WriteStringValue(Predicted(schema, outputs, r));
                    }
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement array) =>
        array.EnumerateArray().SelectMany(x => x.ValueKind == JsonValueKind.Array ? Flatten(x) : [x]);

    private static IReadOnlyList<(string Name, string Type)> Outputs(ModelSchema schema) => schema.Task switch
    {
        TaskKind.Regression => [("prediction", "FP64")],
        TaskKind.BinaryClassification => [("probability", "FP64"), ("prediction", "BYTES")],
        _ => [("prediction", "BYTES")],
    };

    private static string Predicted(ModelSchema schema, double[] outputs, int row)
    {
        if (schema.Task == TaskKind.BinaryClassification)
        {
            return schema.Classes[outputs[row] >= 0.5 ? 1 : 0];
        }
        var width = schema.OutputCount;
        var best = 0;
        for (var c = 1; c < width; c++)
        {
            best = outputs[(row * width) + c] > outputs[(row * width) + best] ? c : best;
        }
        return schema.Classes[best];
    }

    /// <summary>The protocol's error body: <c>{"error": "…"}</c>.</summary>
    private sealed class Envelope : IErrorEnvelope
    {
        public static Envelope Instance { get; } = new();

        public async Task WriteAsync(HttpContext context, ErrorCode code, string message, string? requestId)
        {
            context.Response.StatusCode = code.HttpStatus();
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteString("error", requestId is null ? message : $"{message} (request {requestId})");
            json.WriteEndObject();
        }
    }
}
