using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's experiments/* endpoints.</summary>
public static class ExperimentEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];
    private static readonly string[] GetOrPost = ["GET", "POST"];

    public static void MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<TrackingService>("experiments/create", Post, async (call, tracking) =>
        {
            var r = call.Request;
            var id = await tracking.CreateExperimentAsync(r.RequiredString("name"), r.String("artifact_location"), MlflowRequests.Tags(r, "tags"), call.Ct);
            call.Json.WriteString("experiment_id", id);
        });

        app.MapMlflow<TrackingService>("experiments/get", Get, async (call, tracking) =>
        {
            var experiment = await tracking.GetExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct);
            call.Json.WritePropertyName("experiment");
            MlflowJson.WriteExperiment(call.Json, experiment);
        });

        app.MapMlflow<TrackingService>("experiments/get-by-name", Get, async (call, tracking) =>
        {
            var experiment = await tracking.GetExperimentByNameAsync(call.Request.RequiredString("experiment_name"), call.Ct);
            call.Json.WritePropertyName("experiment");
            MlflowJson.WriteExperiment(call.Json, experiment);
        });

        app.MapMlflow<TrackingService>("experiments/search", GetOrPost, async (call, tracking) =>
        {
            var r = call.Request;
            var page = await tracking.SearchExperimentsAsync(r.String("filter"), r.Strings("order_by"), LifecycleNames.ParseViewType(r.String("view_type")),
                r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "experiments", page, MlflowJson.WriteExperiment);
        });

        app.MapMlflow<TrackingService>("experiments/search-datasets", Post, async (call, tracking) =>
        {
            var summaries = await tracking.SearchDatasetsAsync(call.Request.Strings("experiment_ids"), call.Ct);
            call.Json.WriteStartArray("dataset_summaries");
            foreach (var summary in summaries)
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("experiment_id", summary.ExperimentId);
                call.Json.WriteString("name", summary.Name);
                call.Json.WriteString("digest", summary.Digest);
                if (summary.Context is not null)
                {
                    call.Json.WriteString("context", summary.Context);
                }
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        });

        app.MapMlflow<TrackingService>("experiments/update", Post, (call, tracking) =>
            tracking.RenameExperimentAsync(call.Request.RequiredString("experiment_id"), call.Request.RequiredString("new_name"), call.Ct));

        app.MapMlflow<TrackingService>("experiments/delete", Post, (call, tracking) => tracking.DeleteExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct));

        app.MapMlflow<TrackingService>("experiments/restore", Post, (call, tracking) => tracking.RestoreExperimentAsync(call.Request.RequiredString("experiment_id"), call.Ct));

        app.MapMlflow<TrackingService>("experiments/set-experiment-tag", Post, (call, tracking) =>
            tracking.SetExperimentTagAsync(call.Request.RequiredString("experiment_id"),
                new Tag(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));
    }
}
