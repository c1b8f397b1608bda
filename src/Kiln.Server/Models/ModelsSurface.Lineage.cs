using System.Text.Json;
using Kiln.Core.Data;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Server.Http;

namespace Kiln.Server.Models;

/// <summary><c>GET /api/kiln/models/{name}/versions/{version}/lineage</c> (JSON) and <c>…/card</c> (<c>{markdown, html}</c>).</summary>
public sealed partial class ModelsSurface
{
    private static void MapLineage(IEndpointRouteBuilder app)
    {
        app.MapJson<RegistryService>(Root + "/{name}/versions/{version}/lineage", Get, async (call, registry) =>
        {
            var lineage = await BuildAsync(call, registry);
            var v = lineage.Version;
            call.Json.WriteStartObject("version");
            call.Json.WriteString("name", v.Name);
            call.Json.WriteNumber("version", v.Version);
            call.Json.WriteString("source", v.Source);
            Core.Mlflow.MlflowJson.WriteStrings(call.Json, "aliases", v.Aliases);
            call.Json.WriteEndObject();
            if (lineage.SourceRun is { } run)
            {
                call.Json.WriteStartObject("source_run");
                call.Json.WriteString("run_id", run.Info.RunId);
                call.Json.WriteString("run_name", run.Info.RunName);
                call.Json.WriteString("experiment_id", run.Info.ExperimentId);
                WriteData(call.Json, lineage.Datasets);
                call.Json.WriteEndObject();
            }
            call.Json.WriteStartArray("evaluations");
            foreach (var (eval, data) in lineage.Evaluations)
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("run_id", eval.Info.RunId);
                call.Json.WriteStartObject("metrics");
                foreach (var m in eval.Data.Metrics.Where(m => !m.Key.Contains('/', StringComparison.Ordinal)))
                {
                    call.Json.WriteNumber(m.Key, m.Value);
                }
                call.Json.WriteEndObject();
                WriteData(call.Json, data);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
            call.Json.WriteStartArray("verdicts");
            foreach (var verdict in lineage.Verdicts)
            {
                WriteVerdict(call.Json, verdict);
            }
            call.Json.WriteEndArray();
            call.Json.WriteStartArray("alias_moves");
            foreach (var e in lineage.AliasMoves)
            {
                WriteEvent(call.Json, e);
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<RegistryService>(Root + "/{name}/versions/{version}/card", Get, async (call, registry) =>
        {
            var lineage = await BuildAsync(call, registry);
            var markdown = ModelCard.Markdown(await registry.GetModelAsync(Name(call), call.Ct), lineage);
            call.Json.WriteString("markdown", markdown);
            call.Json.WriteString("html", ModelCard.Html(markdown, $"{lineage.Version.Name} v{lineage.Version.Version}"));
        }, Writer);
    }

    private static Task<ModelLineage> BuildAsync(ApiCall call, RegistryService registry) =>
        ModelLineage.BuildAsync(registry, call.Service<IRegistryStore>(), call.Service<Engine.Tracking.TrackingService>(), call.Http.RequestServices.GetService<IDataStore>(),
            Name(call), RegistryValidation.Version((string)call.Http.Request.RouteValues["version"]!), call.Ct);

    private static void WriteData(Utf8JsonWriter w, IReadOnlyList<DatasetLink> data)
    {
        w.WriteStartArray("datasets");
        foreach (var d in data)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteString("digest", d.Digest);
            w.WriteString("context", d.Context);
            w.WriteBoolean("versioned", d.Versioned);
            w.WriteStartArray("validations");
            foreach (var v in d.Validations)
            {
                w.WriteStartObject();
                w.WriteString("id", v.Id);
                w.WriteNumber("errors", v.Errors);
                w.WriteNumber("warnings", v.Warnings);
                w.WriteNumber("created_at", v.CreatedAt);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
