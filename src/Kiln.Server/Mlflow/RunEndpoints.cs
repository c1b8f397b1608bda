using Kiln.Core.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>MLflow's runs/* and metrics/* endpoints.</summary>
public static class RunEndpoints
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];

    public static void MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapApi("runs/create", Post, async call =>
        {
            var r = call.Request;
            var run = await call.Tracking.CreateRunAsync(r.String("experiment_id"), r.String("user_id"), r.String("run_name"), r.Int64("start_time"),
                MlflowReader.Tags(r, "tags"), call.Ct);
            call.Json.WritePropertyName("run");
            MlflowJson.WriteRun(call.Json, run);
        });

        app.MapApi("runs/get", Get, async call =>
        {
            var run = await call.Tracking.GetRunAsync(RunId(call.Request), call.Ct);
            call.Json.WritePropertyName("run");
            MlflowJson.WriteRun(call.Json, run);
        });

        app.MapApi("runs/update", Post, async call =>
        {
            var r = call.Request;
            var info = await call.Tracking.UpdateRunAsync(RunId(r), r.String("status"), r.Int64("end_time"), r.String("run_name"), call.Ct);
            call.Json.WritePropertyName("run_info");
            MlflowJson.WriteRunInfo(call.Json, info);
        });

        app.MapApi("runs/delete", Post, call => call.Tracking.DeleteRunAsync(RunId(call.Request), call.Ct));

        app.MapApi("runs/restore", Post, call => call.Tracking.RestoreRunAsync(RunId(call.Request), call.Ct));

        app.MapApi("runs/log-metric", Post, call =>
        {
            var r = call.Request;
            var metric = MlflowReader.Metric(r.Body ?? throw ApiRequest.Missing("key"));
            return call.Tracking.LogMetricAsync(RunId(r), metric, call.Ct);
        });

        app.MapApi("runs/log-parameter", Post, call =>
            call.Tracking.LogParamAsync(RunId(call.Request), new Param(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));

        app.MapApi("runs/set-tag", Post, call =>
            call.Tracking.SetTagAsync(RunId(call.Request), new Tag(call.Request.RequiredString("key"), call.Request.RequiredString("value")), call.Ct));

        app.MapApi("runs/delete-tag", Post, call => call.Tracking.DeleteTagAsync(RunId(call.Request), call.Request.RequiredString("key"), call.Ct));

        app.MapApi("runs/log-batch", Post, call =>
        {
            var batch = LogBatchReader.Read(call.Request.RawBody.Span);
            return call.Tracking.LogBatchAsync(batch.RunId ?? throw ApiRequest.Missing("run_id"), batch.Metrics, batch.Params, batch.Tags, call.Ct);
        }, TrackingLimits.MaxBatchRequestBytes);

        app.MapApi("runs/log-inputs", Post, call => call.Tracking.LogInputsAsync(RunId(call.Request), MlflowReader.DatasetInputs(call.Request, "datasets"), call.Ct));

        app.MapApi("runs/search", ["POST", "GET"], async call =>
        {
            var r = call.Request;
            var page = await call.Tracking.SearchRunsAsync(r.Strings("experiment_ids"), r.String("filter"), LifecycleNames.ParseViewType(r.String("run_view_type")),
                r.Int32("max_results"), r.Strings("order_by"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "runs", page, MlflowJson.WriteRun);
        });

        app.MapApi("metrics/get-history", Get, async call =>
        {
            var r = call.Request;
            var page = await call.Tracking.GetMetricHistoryAsync(RunId(r), r.RequiredString("metric_key"), r.Int32("max_results"), r.String("page_token"), call.Ct);
            MlflowJson.WritePage(call.Json, "metrics", page, MlflowJson.WriteMetric);
        });
    }

    private static string RunId(ApiRequest request) => request.RequiredString("run_id", "run_uuid");
}
