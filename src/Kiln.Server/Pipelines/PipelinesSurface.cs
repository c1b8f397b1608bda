using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines;
using Kiln.Engine.Pipelines.Spec;
using Kiln.Server.Http;

namespace Kiln.Server.Pipelines;

/// <summary>
/// Pipelines over REST: <c>/api/kiln/pipelines</c> (GET the stored ones; <c>PUT …/{name}</c> <c>{yaml}</c> stores one,
/// validated; GET one with its DAG; DELETE), <c>POST …/{name}/runs</c> <c>{params, force}</c> queues a run for the workers,
/// and <c>/api/kiln/pipeline-runs</c> (GET <c>?pipeline=&amp;status=&amp;max=</c>; GET <c>…/{id}</c> with its steps;
/// <c>POST …/{id}/cancel</c>, <c>…/{id}/resume</c>; GET <c>…/{id}/steps/{step}/log</c>).
/// </summary>
public sealed class PipelinesSurface : IEndpointSurface
{
    private const string Root = "/api/kiln/pipelines";
    private const string Runs = "/api/kiln/pipeline-runs";
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new(Root), new(Runs)];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapJson<PipelineService>(Root, ["GET"], async (call, service) =>
        {
            var definitions = await service.ListAsync(call.Ct);
            var recent = (await service.ListRunsAsync(null, null, 500, call.Ct)).GroupBy(r => r.Pipeline).ToDictionary(g => g.Key, g => g.First());
            call.Json.WriteStartArray("pipelines");
            foreach (var d in definitions)
            {
                call.Json.WriteStartObject();
                WriteDefinition(call.Json, d, PipelineService.Check(d.Yaml, d.Name + ".yaml"), withYaml: false);
                if (recent.TryGetValue(d.Name, out var last))
                {
                    call.Json.WritePropertyName("last_run");
                    WriteRun(call.Json, last);
                }
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<PipelineService>(Root + "/{name}", ["GET"], async (call, service) =>
        {
            var d = await service.GetAsync(Name(call), call.Ct);
            WriteDefinition(call.Json, d, PipelineService.Check(d.Yaml, d.Name + ".yaml"), withYaml: true);
        }, Writer);

        app.MapJson<PipelineService>(Root + "/{name}", ["PUT"], async (call, service) =>
        {
            var yaml = call.Request.RequiredString("yaml");
            var spec = PipelineService.Check(yaml, Name(call) + ".yaml");
            if (spec.Name != Name(call))
            {
                throw KilnException.Invalid($"The file names the pipeline '{spec.Name}' but the URL names '{Name(call)}': make them the same (name: in the file, or PUT to /api/kiln/pipelines/{spec.Name}).");
            }
            var d = await service.ApplyAsync(yaml, spec.Name + ".yaml", Caller.User(call.Http), call.Ct);
            WriteDefinition(call.Json, d, spec, withYaml: false);
        }, Writer);

        app.MapJson<PipelineService>(Root + "/{name}", ["DELETE"], (call, service) => service.DeleteAsync(Name(call), call.Ct), Writer);

        app.MapJson<PipelineService>(Root + "/{name}/runs", ["POST"], async (call, service) =>
        {
            var d = await service.GetAsync(Name(call), call.Ct);
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            if (call.Request.Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("params", out var ps) && ps.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in ps.EnumerateObject())
                {
                    given[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
            var run = await service.StartAsync(d.Yaml, d.Name + ".yaml", given, PipelineTriggers.Manual, call.Request.String("cause") ?? "REST", call.Request.Bool("force") ?? false,
                Caller.User(call.Http), call.Ct);
            WriteDetail(call.Json, await service.GetRunAsync(run.Id, call.Ct));
        }, Writer);

        app.MapJson<PipelineService>(Runs, ["GET"], async (call, service) =>
        {
            var statuses = call.Request.String("status") is { } s ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
            var runs = await service.ListRunsAsync(call.Request.String("pipeline"), statuses, call.Request.Int32("max") ?? 50, call.Ct);
            call.Json.WriteStartArray("runs");
            foreach (var run in runs)
            {
                call.Json.WriteStartObject();
                WriteRunFields(call.Json, run);
                var steps = (await service.GetRunAsync(run.Id, call.Ct)).Steps;
                call.Json.WriteStartObject("step_counts");
                foreach (var g in steps.GroupBy(x => x.Status))
                {
                    call.Json.WriteNumber(g.Key, g.Count());
                }
                call.Json.WriteEndObject();
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<PipelineService>(Runs + "/{id}", ["GET"], async (call, service) => WriteDetail(call.Json, await service.GetRunAsync(Id(call), call.Ct)), Writer);

        app.MapJson<PipelineService>(Runs + "/{id}/cancel", ["POST"], async (call, service) =>
        {
            await service.CancelAsync(Id(call), Caller.User(call.Http), call.Ct);
            WriteDetail(call.Json, await service.GetRunAsync(Id(call), call.Ct));
        }, Writer);

        app.MapJson<PipelineService>(Runs + "/{id}/resume", ["POST"], async (call, service) =>
        {
            await service.ResumeAsync(Id(call), call.Ct);
            WriteDetail(call.Json, await service.GetRunAsync(Id(call), call.Ct));
        }, Writer);

        app.MapJson<PipelineService>(Runs + "/{id}/steps/{step}/log", ["GET"], async (call, service) =>
        {
            var detail = await service.GetRunAsync(Id(call), call.Ct);
            var stepName = Uri.UnescapeDataString((string)call.Http.Request.RouteValues["step"]!);
            var step = detail.Steps.FirstOrDefault(s => s.Step == stepName)
                ?? throw KilnException.NotFound($"Run {detail.Run.Id} has no step '{stepName}' (its steps: {string.Join(", ", detail.Steps.Select(s => s.Step))}).");
            call.Json.WriteString("step", step.Step);
            call.Json.WriteString("status", step.Status);
            call.Json.WriteString("log", await service.LogAsync(step, call.Ct));
        }, Writer);
    }

    private static string Name(ApiCall call) => Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!);

    private static string Id(ApiCall call) => Uri.UnescapeDataString((string)call.Http.Request.RouteValues["id"]!);

    private static void WriteDefinition(Utf8JsonWriter w, PipelineDefinition d, PipelineSpec spec, bool withYaml)
    {
        w.WriteString("name", d.Name);
        w.WriteString("description", spec.Description);
        w.WriteString("hash", d.Hash);
        w.WriteNumber("updated_at", d.UpdatedAt);
        w.WriteString("updated_by", d.UpdatedBy);
        w.WriteString("concurrency", spec.Concurrency);
        if (withYaml)
        {
            w.WriteString("yaml", d.Yaml);
        }
        w.WriteStartArray("params");
        foreach (var p in spec.Params)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("type", ParamTypes.Name(p.Type));
            w.WriteString("default", p.Default);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("steps");
        foreach (var s in spec.Steps)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("uses", s.Uses);
            w.WriteString("run", s.Run);
            Core.Mlflow.MlflowJson.WriteStrings(w, "needs", s.Needs);
            w.WriteString("when", s.When);
            Core.Mlflow.MlflowJson.WriteStrings(w, "labels", s.Labels);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("triggers");
        if (spec.On is { } on)
        {
            w.WriteString("schedule", on.Schedule);
            Core.Mlflow.MlflowJson.WriteStrings(w, "dataset", on.Datasets);
            Core.Mlflow.MlflowJson.WriteStrings(w, "alias", on.Aliases);
            Core.Mlflow.MlflowJson.WriteStrings(w, "alert", on.Alerts);
            Core.Mlflow.MlflowJson.WriteStrings(w, "pipeline", on.Pipelines);
        }
        w.WriteEndObject();
    }

    private static void WriteDetail(Utf8JsonWriter w, PipelineRunDetail detail)
    {
        w.WritePropertyName("run");
        WriteRun(w, detail.Run);
        w.WriteStartArray("steps");
        foreach (var s in detail.Steps)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Step);
            w.WriteString("status", s.Status);
            w.WriteNumber("attempt", s.Attempt);
            w.WriteNumber("failures", s.Failures);
            w.WriteString("labels", s.Labels);
            w.WriteString("worker", s.Worker);
            Number(w, "started_at", s.StartedAt);
            Number(w, "finished_at", s.FinishedAt);
            w.WriteString("cache_key", s.CacheKey);
            w.WriteString("cached_from", s.CachedFrom);
            w.WriteString("error", s.Error);
            w.WriteString("tracking_run_id", s.TrackingRunId);
            WriteMap(w, "outputs", s.Outputs);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteRun(Utf8JsonWriter w, PipelineRun run)
    {
        w.WriteStartObject();
        WriteRunFields(w, run);
        w.WriteEndObject();
    }

    private static void WriteRunFields(Utf8JsonWriter w, PipelineRun run)
    {
        w.WriteString("id", run.Id);
        w.WriteString("pipeline", run.Pipeline);
        w.WriteString("status", run.Status);
        w.WriteString("trigger", run.Trigger);
        w.WriteString("cause", run.Cause);
        w.WriteBoolean("force", run.Force);
        w.WriteString("user", run.User);
        w.WriteNumber("created_at", run.CreatedAt);
        Number(w, "started_at", run.StartedAt);
        Number(w, "finished_at", run.FinishedAt);
        w.WriteString("error", run.Error);
        w.WriteString("tracking_run_id", run.TrackingRunId);
        WriteMap(w, "params", run.Params);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
