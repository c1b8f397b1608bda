using System.Net;
using System.Text.Json;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>The bulk history routes MLflow's UI (and Kiln's console) draw charts from.</summary>
public sealed class MetricHistoryEndpointsTests : ServerTestBase
{
    private const string Api = "ajax-api/2.0/mlflow/";

    private async Task LogAsync(string runId, params (long Step, long Timestamp, double Value)[] points) =>
        await OkAsync("api/2.0/mlflow/runs/log-batch", new
        {
            run_id = runId,
            metrics = points.Select(p => new { key = "loss", value = p.Value, timestamp = p.Timestamp, step = p.Step }).ToArray(),
        });

    private static List<(string Run, long Step, long Timestamp, double Value)> Points(JsonElement body) =>
        [.. body.GetProperty("metrics").EnumerateArray().Select(m =>
            (m.GetProperty("run_id").GetString()!, m.GetProperty("step").GetInt64(), m.GetProperty("timestamp").GetInt64(), m.GetProperty("value").GetDouble()))];

    [Fact]
    public async Task Bulk_history_returns_each_runs_points_in_run_id_order_and_caps_the_total()
    {
        var a = await CreateRunAsync();
        var b = await CreateRunAsync();
        await LogAsync(a, (3, 2, 1.0), (1, 5, 2.0), (2, 1, 3.0));
        await LogAsync(b, (0, 1, 9.0));
        var all = Points(await GetOkAsync($"{Api}metrics/get-history-bulk?run_id={b}&run_id={a}&metric_key=loss"));
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Select(p => p.Run).Order(StringComparer.Ordinal), all.Select(p => p.Run)); // runs in id order
        // each run's points by timestamp, then step, as MLflow's UI expects
        Assert.Equal([1L, 2L, 5L], all.Where(p => p.Run == a).Select(p => p.Timestamp));
        Assert.Equal(2, Points(await GetOkAsync($"{Api}metrics/get-history-bulk?run_id={a}&metric_key=loss&max_results=2")).Count);

        var (status, body) = await GetAsync($"{Api}metrics/get-history-bulk?metric_key=loss");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "at least one run_id");
        (status, body) = await GetAsync($"{Api}metrics/get-history-bulk?" + string.Join("&", Enumerable.Range(0, 101).Select(i => $"run_id=r{i}")) + "&metric_key=loss");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "cannot specify more than 100 run_ids");
        (status, body) = await GetAsync($"{Api}metrics/get-history-bulk?run_id={a}");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "must specify a metric_key");
    }

    [Fact]
    public async Task Interval_history_samples_shared_steps_and_keeps_each_runs_first_and_last()
    {
        var a = await CreateRunAsync();
        var b = await CreateRunAsync();
        await LogAsync(a, [.. Enumerable.Range(0, 10).Select(i => ((long)i, 1L, 1.0))]);
        await LogAsync(b, [.. Enumerable.Range(0, 20).Select(i => ((long)i, 1L, 2.0))]);

        var sampled = Points(await GetOkAsync($"{Api}metrics/get-history-bulk-interval?run_ids={a}&run_ids={b}&metric_key=loss&max_results=5"));
        // 20 shared steps in 5 even strides (0, 4, 8, 12, 16) plus the last (19) plus each run's own ends (9)
        Assert.Equal([0L, 4, 8, 9], sampled.Where(p => p.Run == a).Select(p => p.Step));
        Assert.Equal([0L, 4, 8, 9, 12, 16, 19], sampled.Where(p => p.Run == b).Select(p => p.Step));
        Assert.Equal(a, sampled[0].Run); // runs in the order asked

        var window = Points(await GetOkAsync($"{Api}metrics/get-history-bulk-interval?run_ids={b}&metric_key=loss&start_step=3&end_step=6&max_results=5"));
        Assert.Equal([3L, 4, 5, 6], window.Select(p => p.Step));

        foreach (var (query, message) in new[]
        {
            ("metric_key=loss", "'run_ids'"),
            ($"run_ids={a}&metric_key=", "'metric_key'"),
            ($"run_ids={a}&metric_key=loss&max_results=0", "between 1 and 2500"),
            ($"run_ids={a}&metric_key=loss&start_step=1", "both must be specified"),
            ($"run_ids={a}&metric_key=loss&start_step=2&end_step=1", "end_step must be greater than start_step"),
        })
        {
            var (status, body) = await GetAsync($"{Api}metrics/get-history-bulk-interval?{query}");
            AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", message);
        }
    }
}
