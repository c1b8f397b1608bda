using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Explanations;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// The Open Inference Protocol v2 over REST (KServe, Triton): <c>/v2/health/live|ready</c>, <c>/v2/models/NAME[/versions/V]</c>
/// (metadata), <c>…/ready</c> and <c>POST …/infer</c>, where NAME is a deployment. Each feature is an input tensor by name
/// (shape <c>[rows]</c> or <c>[rows, 1]</c>; FP32/FP64/INT*/BOOL for numbers, BYTES for categories); outputs are
/// <c>probability</c>/<c>prediction</c> (classifiers) or <c>prediction</c> (regression). Errors are <c>{"error": …}</c>.
/// Tensors are read and written by <see cref="OipTensors"/> and scored on the <see cref="ScoringPath"/>, as over gRPC
/// (<see cref="Grpc.InferenceGrpcService"/>).
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
        app.MapGet("/v2/health/ready", async (HttpContext context) =>
            await context.RequestServices.GetRequiredService<ServingReadiness>().NotReadyBecauseAsync(context.RequestAborted) is { } why
                ? Results.Json(new { ready = false, reason = why }, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Json(new { ready = true }));
        app.MapGet("/v2", () => Results.Json(new { name = "kiln", version = KilnServer.Version, extensions = new[] { "binary_tensor_data" } }));
        foreach (var prefix in new[] { "/v2/models/{name}", "/v2/models/{name}/versions/{version}" })
        {
            app.MapGet(prefix, MetadataAsync);
            app.MapGet(prefix + "/ready", async (HttpContext context, string name) =>
            {
                var (_, _, served) = await ResolveAsync(context, name);
                return Results.Json(new { name, ready = served is not null });
            });
            app.MapPost(prefix + "/infer", InferAsync);
        }
    }

    private static Task<(Deployment Deployment, DeploymentRoute Route, ServedModel Served)> ResolveAsync(HttpContext context, string name) =>
        context.RequestServices.GetRequiredService<ScoringPath>().ResolveAsync(ScoringRequest.FromHttp(context, name, Version(context)), context.RequestAborted);

    private static string? Version(HttpContext context) => context.Request.RouteValues.TryGetValue("version", out var v) ? v as string : null;

    private static async Task<IResult> MetadataAsync(HttpContext context, string name)
    {
        var (_, _, served) = await ResolveAsync(context, name);
        var schema = served.Model.Schema;
        return Results.Json(new
        {
            name,
            versions = served.Version is { } v ? new[] { v.Version.ToString(CultureInfo.InvariantCulture) } : [],
            platform = "kiln",
            inputs = OipTensors.InputsOf(schema).Select(i => new { name = i.Name, datatype = i.Datatype, shape = new[] { -1 } }),
            outputs = OipTensors.OutputsOf(schema).Select(o => new { name = o.Name, datatype = o.Datatype, shape = new[] { -1 } }),
        });
    }

    private static Task InferAsync(HttpContext context, string name)
    {
        var path = context.RequestServices.GetRequiredService<ScoringPath>();
        var body = default(JsonElement);
        IReadOnlyList<(string Name, string Datatype)> requested = [];
        Func<string, bool> binaryOutput = _ => false;
        ExplainRequest? explain = null;
        return path.ScoreAsync(ScoringRequest.FromHttp(context, name, Version(context)), async (served, _, _) =>
        {
            (body, var binary, var bytes) = await ServingBody.ReadInferenceAsync(context, path.Limits);
            explain = ExplainRequest.Of(body);
            if (explain is not null)
            {
                ExplainRequest.ModelOf(served.Model); // a model that cannot explain is a 400 before it scores
            }
            var inputs = OipJsonInput.ReadAll(body, binary);
            requested = OipTensors.Requested(served.Model.Schema, OipJsonInput.RequestedOutputs(body));
            binaryOutput = OipJsonInput.BinaryOutputs(body);
            return new ScoringInput(OipTensors.ToTable(served.Model.Schema, inputs), Body: bytes); // the table copies what it reads
        }, async scored =>
        {
            scored.WriteHeaders(context.Response);
            var buffer = new ArrayBufferWriter<byte>(256);
            var binary = new ArrayBufferWriter<byte>(1);
            await using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("model_name", name);
                if (scored.VersionNumber.Length > 0)
                {
                    w.WriteString("model_version", scored.VersionNumber);
                }
                if (body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("id", id.GetString());
                }
                w.WriteStartArray("outputs");
                foreach (var output in OipTensors.Outputs(scored.Served.Model.Schema, scored.Outputs, scored.Table.RowCount, requested))
                {
                    w.WriteStartObject();
                    w.WriteString("name", output.Name);
                    w.WriteString("datatype", output.Datatype);
                    w.WriteStartArray("shape");
                    w.WriteNumberValue(output.Count);
                    w.WriteEndArray();
                    if (binaryOutput(output.Name))
                    {
                        var size = OipBinary.Write(output, binary);
                        w.WriteStartObject("parameters");
                        w.WriteNumber("binary_data_size", size);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        continue;
                    }
                    w.WriteStartArray("data");
                    for (var r = 0; r < output.Count; r++)
                    {
                        if (output.Numbers is { } numbers)
                        {
                            w.WriteNumberValue(numbers[r]);
                        }
                        else
                        {
                            w.WriteStringValue(output.Texts![r]);
                        }
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                if (explain is not null)
                {
                    ExplanationTensors.Build(ExplainRequest.ModelOf(scored.Served.Model), scored.Table, scored.Outputs, explain).Write(w);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            if (binary.WrittenCount == 0)
            {
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
                return;
            }
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers[ServingBody.InferenceHeaderLength] = buffer.WrittenCount.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentLength = buffer.WrittenCount + binary.WrittenCount;
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
            await context.Response.Body.WriteAsync(binary.WrittenMemory, context.RequestAborted);
        }, context.RequestAborted);
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
