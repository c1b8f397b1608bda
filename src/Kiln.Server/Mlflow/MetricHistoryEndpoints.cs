using System.Text.Json;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Server.Mlflow;

/// <summary>The routes MLflow's web UI charts read: one metric's history across many runs, whole or sampled to a step interval.</summary>
public static class MetricHistoryEndpoints
{
    private static readonly string[] Get = ["GET"];

    public static void MapMetricHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMlflow<TrackingService>("metrics/get-history-bulk", Get, async (call, tracking) =>
        {
            var r = call.Request;
            var points = await tracking.GetMetricHistoryBulkAsync(r.Strings("run_id"), r.String("metric_key"), r.Int32("max_results"), call.Ct);
            Write(call.Json, points);
        });

        app.MapMlflow<TrackingService>("metrics/get-history-bulk-interval", Get, async (call, tracking) =>
        {
            var r = call.Request;
            var points = await tracking.GetMetricHistoryBulkIntervalAsync(r.Strings("run_ids"), r.String("metric_key"), r.Int64("start_step"), r.Int64("end_step"),
                r.Int32("max_results"), call.Ct);
            Write(call.Json, points);
        });
    }

    private static void Write(Utf8JsonWriter json, IReadOnlyList<RunMetric> points)
    {
        json.WriteStartArray("metrics");
        foreach (var (runId, metric) in points)
        {
            json.WriteStartObject();
            MlflowJson.WriteMetricFields(json, metric);
            json.WriteString("run_id", runId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
