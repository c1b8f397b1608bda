using Kiln.Core.Json;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's runs/* and metrics/* endpoints.</summary>
public static class RunEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];

    public static void MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<TrackingService>("runs/create", Post, async (call, tracking) =>
        {
            var r = call.Request;
            var run = await tracking.CreateRunAsync(r.String("experiment_id"), r.String("user_id"), r.String("run_name"), r.Int64("start_time"),
                MlflowRequests.Tags(r, "tags"), call.Ct);
            call.Json.WritePropertyName("run");
            MlflowJson.WriteRun(call.Json, run);
        });

        app.MapMlflow<TrackingService>("runs/get", Get, async (call, tracking) =>
        {
            var run = await tracking.GetRunAsync(RunId(call.Request), call.Ct);
            call.Json.WritePropertyName("run");
            MlflowJson.WriteRun(call.Json, run);
        });

        app.MapMlflow<TrackingService>("runs/update", Post, async (call, tracking) =>
        {
            var r = call.Request;
            var info = await tracking.UpdateRunAsync(RunId(r), r.String("status"), r.Int64("end_time"), r.String("run_name"), call.Ct);
            call.Json.WritePropertyName("run_info");
            MlflowJson.WriteRunInfo(call.Json, info);
        });

        app.MapMlflow<TrackingService>("runs/delete", Post, (call, tracking) => tracking.DeleteRunAsync(RunId(call.Request), call.Ct));

        app.MapMlflow<TrackingService>("runs/restore", Post, (call, tracking) => tracking.RestoreRunAsync(RunId(call.Request), call.Ct));

        app.MapMlflow<TrackingService>("runs/log-metric", Post, (call, tracking) =>
        {
            var metric = MlflowRequests.Metric(call.Request);
            return tracking.LogMetricAsync(RunId(call.Request), metric, call.Ct);
        });

        app.MapMlflow<TrackingService>("runs/log-parameter", Post, (call, tracking) =>
            tracking.LogParamAsync(RunId(call.Request), new Param(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));

        app.MapMlflow<TrackingService>("runs/set-tag", Post, (call, tracking) =>
            tracking.SetTagAsync(RunId(call.Request), new Tag(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));

        app.MapMlflow<TrackingService>("runs/delete-tag", Post, (call, tracking) => tracking.DeleteTagAsync(RunId(call.Request), call.Request.RequiredString("key"), call.Ct));

        app.MapMlflow<TrackingService>("runs/log-batch", Post, (call, tracking) =>
        {
            var batch = LogBatchReader.Read(call.Request.RawBody.Span);
            return tracking.LogBatchAsync(batch.RunId ?? throw JsonValues.Missing("run_id"), batch.Metrics, batch.Params, batch.Tags, call.Ct);
        }, TrackingLimits.MaxBatchRequestBytes);

        app.MapMlflow<TrackingService>("runs/log-inputs", Post, (call, tracking) =>
        {
            var runId = RunId(call.Request);
            // MLflow requires a non-empty 'datasets'.
            var inputs = MlflowRequests.DatasetInputs(call.Request, "datasets");
            return inputs.Count > 0 ? tracking.LogInputsAsync(runId, inputs, call.Ct) : throw JsonValues.Missing("datasets");
        });

        app.MapMlflow<TrackingService>("runs/log-model", Post, (call, tracking) =>
            tracking.LogModelAsync(RunId(call.Request), call.Request.RequiredString("model_json"), call.Ct));

        app.MapMlflow<TrackingService>("runs/search", ["POST", "GET"], async (call, tracking) =>
        {
            var r = call.Request;
            var page = await tracking.SearchRunsAsync(r.Strings("experiment_ids"), r.String("filter"), LifecycleNames.ParseViewType(r.String("run_view_type")),
                r.Int32("max_results"), r.Strings("order_by"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "runs", page, MlflowJson.WriteRun);
        });

        app.MapMlflow<TrackingService>("metrics/get-history", Get, async (call, tracking) =>
        {
            var r = call.Request;
            var page = await tracking.GetMetricHistoryAsync(RunId(r), r.RequiredString("metric_key"), r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "metrics", page, MlflowJson.WriteMetric);
        });
    }

    private static string RunId(ApiRequest request) => request.RequiredString("run_id", "run_uuid");
}
