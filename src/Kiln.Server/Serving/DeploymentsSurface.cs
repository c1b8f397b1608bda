using System.Text.Json;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// <c>/api/kiln/deployments</c>: GET lists; POST <c>{name, routes: [{name, model, weight, shadow}]}</c> creates; GET/PUT
/// <c>/{name}</c> reads or replaces the routes; GET <c>/{name}/history</c>; POST <c>/{name}/rollback</c>; DELETE <c>/{name}</c>.
/// Each answer also says which version each route serves now.
/// </summary>
public sealed class DeploymentsSurface : IEndpointSurface
{
    private const string Root = "/api/kiln/deployments";
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new(Root), new("/api/kiln/feedback")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapJson<IDeploymentStore>(Root, ["GET"], async (call, store) =>
        {
            call.Json.WriteStartArray("deployments");
            foreach (var d in await store.ListAsync(call.Ct))
            {
                Write(call, d);
            }
            call.Json.WriteEndArray();
        }, Writer);
        app.MapJson<DeploymentService>(Root, ["POST"], async (call, service) =>
        {
            call.Json.WritePropertyName("deployment");
            Write(call, await service.CreateAsync(call.Request.RequiredString("name"), Routes(call), Caller.User(call.Http), call.Ct));
        }, Writer);
        app.MapJson<IDeploymentStore>(Root + "/{name}", ["GET"], async (call, store) =>
        {
            call.Json.WritePropertyName("deployment");
            Write(call, await store.GetAsync(Name(call), call.Ct));
        }, Writer);
        app.MapJson<DeploymentService>(Root + "/{name}", ["PUT"], async (call, service) =>
        {
            call.Json.WritePropertyName("deployment");
            Write(call, await service.UpdateAsync(Name(call), Routes(call), Caller.User(call.Http), call.Ct));
        }, Writer);
        app.MapJson<IDeploymentStore>(Root + "/{name}/history", ["GET"], async (call, store) =>
        {
            call.Json.WriteStartArray("versions");
            foreach (var d in await store.HistoryAsync(Name(call), call.Ct))
            {
                Write(call, d);
            }
            call.Json.WriteEndArray();
        }, Writer);
        app.MapJson<DeploymentService>(Root + "/{name}/rollback", ["POST"], async (call, service) =>
        {
            call.Json.WritePropertyName("deployment");
            Write(call, await service.RollbackAsync(Name(call), Caller.User(call.Http), call.Ct));
        }, Writer);
        app.MapJson<DeploymentService>(Root + "/{name}", ["DELETE"], (call, service) => service.DeleteAsync(Name(call), call.Ct), Writer);

        // the prediction log of a deployment (?since=UNIX_MS&limit=N), for monitoring and for checking what was served
        app.MapJson<IPredictionLog>(Root + "/{name}/predictions", ["GET"], async (call, log) =>
        {
            call.Json.WriteStartArray("predictions");
            foreach (var p in await log.ReadAsync(Name(call), call.Request.Int64("since") ?? 0, call.Request.Int32("limit") ?? 1000, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("request_id", p.RequestId);
                call.Json.WriteString("route", p.Route);
                if (p.ModelName is not null)
                {
                    call.Json.WriteString("model", $"{p.ModelName}/{p.ModelVersion}");
                }
                call.Json.WriteNumber("time", p.Time);
                call.Json.WriteNumber("latency_ms", p.LatencyMs);
                call.Json.WriteBoolean("shadow", p.Shadow);
                call.Json.WritePropertyName("inputs");
                call.Json.WriteRawValue(p.Inputs);
                call.Json.WritePropertyName("outputs");
                call.Json.WriteRawValue(p.Outputs);
                if (p.Label is not null)
                {
                    call.Json.WriteString("label", p.Label);
                }
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        // ground truth: {request_id, label} or {labels: [{request_id, label}, …]}; answers how many joined and which ids were not found
        app.MapJson<IPredictionLog>("/api/kiln/feedback", ["POST"], async (call, log) =>
        {
            var labels = call.Request.Objects("labels").Select(l => (Text(l, "request_id"), Text(l, "label"))).ToList();
            if (labels.Count == 0)
            {
                labels.Add((call.Request.RequiredString("request_id"), call.Request.RequiredString("label")));
            }
            var missing = await log.AddLabelsAsync(labels, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), call.Ct);
            call.Json.WriteNumber("joined", labels.Count - missing.Count);
            Core.Mlflow.MlflowJson.WriteStrings(call.Json, "not_found", missing);
        }, Writer);
    }

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
            : throw Kiln.Core.Json.JsonValues.Missing(name);

    private static string Name(ApiCall call) => Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!);

    private static List<DeploymentRoute> Routes(ApiCall call) =>
        [.. call.Request.Objects("routes").Select((r, i) =>
        {
            var shadow = r.TryGetProperty("shadow", out var s) && s.ValueKind == JsonValueKind.True;
            int weight;
            if (!r.TryGetProperty("weight", out var w) || w.ValueKind == JsonValueKind.Null)
            {
                weight = shadow ? 0 : 100;
            }
            else if (w.ValueKind != JsonValueKind.Number || !w.TryGetInt32(out weight))
            {
                throw Kiln.Core.Errors.KilnException.Invalid($"routes[{i}].weight is {w.GetRawText()}: give a whole number of 0 or more.");
            }
            var reference = r.TryGetProperty("reference", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            return new DeploymentRoute(String(r, "name", i), String(r, "model", i), weight, shadow, Batching(r, i), reference);
        })];

    /// <summary>A route's optional <c>"batching": {"max_rows", "max_wait_ms"}</c>.</summary>
    private static RouteBatching? Batching(JsonElement route, int index)
    {
        if (!route.TryGetProperty("batching", out var b) || b.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        int Field(string name, int fallback) => !b.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? fallback
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : throw Kiln.Core.Errors.KilnException.Invalid($"routes[{index}].batching.{name} is {v.GetRawText()}: give a whole number.");
        return b.ValueKind == JsonValueKind.Object
            ? new RouteBatching(Field("max_rows", RouteBatching.DefaultMaxRows), Field("max_wait_ms", 0))
            : throw Kiln.Core.Errors.KilnException.Invalid($"routes[{index}].batching must be an object: {{\"max_rows\": 64, \"max_wait_ms\": 2}}.");
    }

    private static string String(JsonElement e, string name, int index) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw Kiln.Core.Errors.KilnException.Invalid($"routes[{index}] needs \"{name}\" as a string.");

    private static void Write(ApiCall call, Deployment d)
    {
        var served = call.Service<ServedModels>().Loaded.ToDictionary(s => s.Reference, StringComparer.Ordinal);
        var w = call.Json;
        w.WriteStartObject();
        w.WriteString("name", d.Name);
        w.WriteNumber("version", d.Version);
        w.WriteNumber("updated_at", d.UpdatedAt);
        w.WriteString("user", d.UserId);
        w.WriteStartArray("routes");
        foreach (var r in d.Routes)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("model", r.Model);
            w.WriteNumber("weight", r.Weight);
            w.WriteBoolean("shadow", r.Shadow);
            if (r.Reference is { } monitoringReference)
            {
                w.WriteString("reference", monitoringReference);
            }
            if (r.Batching is { } batching)
            {
                w.WriteStartObject("batching");
                w.WriteNumber("max_rows", batching.MaxRows);
                w.WriteNumber("max_wait_ms", batching.MaxWaitMs);
                w.WriteEndObject();
            }
            if (served.TryGetValue(r.Model, out var s))
            {
                if (s.Version is { } v)
                {
                    w.WriteString("serving", $"{v.Name}/{v.Version}");
                }
                w.WriteString("flavor", s.Model.Flavor);
                var (rows, calls) = s.BatchCounters;
                if (calls > 0)
                {
                    w.WriteNumber("mean_batch_rows", (double)rows / calls);
                }
            }
            if (call.Service<ServedModels>().Failures.TryGetValue(r.Model, out var failure))
            {
                w.WriteString("load_failure", failure);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
