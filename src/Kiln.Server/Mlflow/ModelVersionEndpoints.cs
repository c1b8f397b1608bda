using Kiln.Core.Mlflow;
using Kiln.Engine.Registry;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's model-versions/* endpoints.</summary>
public static class ModelVersionEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];
    private static readonly string[] Patch = ["PATCH"];
    private static readonly string[] Delete = ["DELETE"];

    public static void MapModelVersionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<RegistryService>("model-versions/create", Post, async (call, registry) =>
        {
            var r = call.Request;
            var version = await registry.CreateVersionAsync(r.String("name"), r.String("source"), r.String("run_id"), r.String("run_link"), r.String("description"),
                MlflowRequests.Tags(r, "tags"), Caller.User(call.Http), call.Ct);
            WriteVersion(call, version);
        });

        app.MapMlflow<RegistryService>("model-versions/get", Get, async (call, registry) =>
            WriteVersion(call, await registry.GetVersionAsync(call.Request.String("name"), call.Request.String("version"), call.Ct)));

        app.MapMlflow<RegistryService>("model-versions/update", Patch, async (call, registry) =>
            WriteVersion(call, await registry.UpdateVersionAsync(call.Request.String("name"), call.Request.String("version"), call.Request.String("description"), call.Ct)));

        app.MapMlflow<RegistryService>("model-versions/transition-stage", Post, async (call, registry) =>
        {
            var r = call.Request;
            WriteVersion(call, await registry.TransitionStageAsync(r.String("name"), r.String("version"), r.String("stage"), r.Bool("archive_existing_versions") ?? false, call.Ct));
        });

        app.MapMlflow<RegistryService>("model-versions/delete", Delete, (call, registry) =>
            registry.DeleteVersionAsync(call.Request.String("name"), call.Request.String("version"), Caller.User(call.Http), call.Ct));

        app.MapMlflow<RegistryService>("model-versions/search", Get, async (call, registry) =>
        {
            var r = call.Request;
            var page = await registry.SearchVersionsAsync(r.String("filter"), r.Strings("order_by"), r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "model_versions", page, MlflowJson.WriteModelVersion);
        });

        app.MapMlflow<RegistryService>("model-versions/set-tag", Post, (call, registry) =>
            registry.SetVersionTagAsync(call.Request.String("name"), call.Request.String("version"), call.Request.String("key"), call.Request.String("value"), call.Ct));

        app.MapMlflow<RegistryService>("model-versions/delete-tag", Delete, (call, registry) =>
            registry.DeleteVersionTagAsync(call.Request.String("name"), call.Request.String("version"), call.Request.String("key"), call.Ct));

        app.MapMlflow<RegistryService>("model-versions/get-download-uri", Get, async (call, registry) =>
            call.Json.WriteString("artifact_uri", await registry.DownloadUriAsync(call.Request.String("name"), call.Request.String("version"), call.Ct)));
    }

    private static void WriteVersion(ApiCall call, Core.Registry.ModelVersion version)
    {
        call.Json.WritePropertyName("model_version");
        MlflowJson.WriteModelVersion(call.Json, version);
    }
}
