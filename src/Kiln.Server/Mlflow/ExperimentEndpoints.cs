using Kiln.Core.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's experiments/* endpoints.</summary>
public static class ExperimentEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];
    private static readonly string[] GetOrPost = ["GET", "POST"];

    public static void MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapApi("experiments/create", Post, async call =>
        {
            var r = call.Request;
            var id = await call.Tracking.CreateExperimentAsync(r.RequiredString("name"), r.String("artifact_location"), MlflowReader.Tags(r, "tags"), call.Ct);
            call.Json.WriteString("experiment_id", id);
        });

        app.MapApi("experiments/get", Get, async call =>
        {
            var experiment = await call.Tracking.GetExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct);
            call.Json.WritePropertyName("experiment");
            MlflowJson.WriteExperiment(call.Json, experiment);
        });

        app.MapApi("experiments/get-by-name", Get, async call =>
        {
            var experiment = await call.Tracking.GetExperimentByNameAsync(call.Request.RequiredString("experiment_name"), call.Ct);
            call.Json.WritePropertyName("experiment");
            MlflowJson.WriteExperiment(call.Json, experiment);
        });

        app.MapApi("experiments/search", GetOrPost, async call =>
        {
            var r = call.Request;
            var page = await call.Tracking.SearchExperimentsAsync(r.String("filter"), r.Strings("order_by"), LifecycleNames.ParseViewType(r.String("view_type")),
                r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "experiments", page, MlflowJson.WriteExperiment);
        });

        app.MapApi("experiments/update", Post, call =>
            call.Tracking.RenameExperimentAsync(call.Request.RequiredString("experiment_id"), call.Request.RequiredString("new_name"), call.Ct));

        app.MapApi("experiments/delete", Post, call => call.Tracking.DeleteExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct));

        app.MapApi("experiments/restore", Post, call => call.Tracking.RestoreExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct));

        app.MapApi("experiments/set-experiment-tag", Post, call =>
            call.Tracking.SetExperimentTagAsync(call.Request.RequiredString("experiment_id"),
                new Tag(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));
    }
}
