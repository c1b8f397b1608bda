using Kiln.Core.Mlflow;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's registered-models/* endpoints, aliases included.</summary>
public static class RegisteredModelEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];
    private static readonly string[] Patch = ["PATCH"];
    private static readonly string[] Delete = ["DELETE"];
    private static readonly string[] GetOrPost = ["GET", "POST"];

    public static void MapRegisteredModelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<RegistryService>("registered-models/create", Post, async (call, registry) =>
        {
            var r = call.Request;
            var model = await registry.CreateModelAsync(r.String("name"), r.String("description"), MlflowRequests.Tags(r, "tags"), call.Ct);
            WriteModel(call, model);
        });

        app.MapMlflow<RegistryService>("registered-models/get", Get, async (call, registry) =>
            WriteModel(call, await registry.GetModelAsync(call.Request.String("name"), call.Ct)));

        app.MapMlflow<RegistryService>("registered-models/rename", Post, async (call, registry) =>
            WriteModel(call, await registry.RenameModelAsync(call.Request.String("name"), call.Request.String("new_name"), call.Ct)));

        app.MapMlflow<RegistryService>("registered-models/update", Patch, async (call, registry) =>
            WriteModel(call, await registry.UpdateModelAsync(call.Request.String("name"), call.Request.String("description"), call.Ct)));

        app.MapMlflow<RegistryService>("registered-models/delete", Delete, (call, registry) => registry.DeleteModelAsync(call.Request.String("name"), call.Ct));

        app.MapMlflow<RegistryService>("registered-models/search", Get, async (call, registry) =>
        {
            var r = call.Request;
            var page = await registry.SearchModelsAsync(r.String("filter"), r.Strings("order_by"), r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "registered_models", page, MlflowJson.WriteRegisteredModel);
        });

        app.MapMlflow<RegistryService>("registered-models/get-latest-versions", GetOrPost, async (call, registry) =>
        {
            var versions = await registry.LatestVersionsAsync(call.Request.String("name"), call.Request.Strings("stages"), call.Ct);
            WriteVersions(call, "model_versions", versions);
        });

        app.MapMlflow<RegistryService>("registered-models/set-tag", Post, (call, registry) =>
            registry.SetModelTagAsync(call.Request.String("name"), call.Request.String("key"), call.Request.String("value"), call.Ct));

        app.MapMlflow<RegistryService>("registered-models/delete-tag", Delete, (call, registry) =>
            registry.DeleteModelTagAsync(call.Request.String("name"), call.Request.String("key"), call.Ct));

        app.MapMlflow<RegistryService>("registered-models/alias", Post, (call, registry) =>
            registry.SetAliasAsync(call.Request.String("name"), call.Request.String("alias"), call.Request.String("version"),
                new AliasChange(Caller.User(call.Http), "set", null), call.Ct));

        app.MapMlflow<RegistryService>("registered-models/alias", Delete, (call, registry) =>
            registry.DeleteAliasAsync(call.Request.String("name"), call.Request.String("alias"), new AliasChange(Caller.User(call.Http), "delete", null), call.Ct));

        app.MapMlflow<RegistryService>("registered-models/alias", Get, async (call, registry) =>
        {
            var version = await registry.GetVersionByAliasAsync(call.Request.String("name"), call.Request.String("alias"), call.Ct);
            call.Json.WritePropertyName("model_version");
            MlflowJson.WriteModelVersion(call.Json, version);
        });
    }

    private static void WriteModel(ApiCall call, RegisteredModel model)
    {
        call.Json.WritePropertyName("registered_model");
        MlflowJson.WriteRegisteredModel(call.Json, model);
    }

    internal static void WriteVersions(ApiCall call, string name, IReadOnlyList<ModelVersion> versions)
    {
        if (versions.Count == 0)
        {
            return;
        }
        call.Json.WriteStartArray(name);
        foreach (var version in versions)
        {
            MlflowJson.WriteModelVersion(call.Json, version);
        }
        call.Json.WriteEndArray();
    }
}
