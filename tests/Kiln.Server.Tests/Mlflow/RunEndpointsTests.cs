using System.Net;
using System.Text;

namespace Kiln.Server.Tests.Mlflow;

public sealed class RunEndpointsTests : ServerTestBase
{
    private const string Api = "api/2.0/mlflow/";

    [Fact]
    public async Task Create_returns_mlflow_run_shape()
    {
        var run = (await OkAsync(Api + "runs/create", new { experiment_id = "0", run_name = "first", start_time = "1700000000000", tags = new[] { new { key = "a", value = "b" } } }))
            .GetProperty("run");
        var info = run.GetProperty("info");
        var id = info.GetProperty("run_id").GetString();
        Assert.Equal(id, info.GetProperty("run_uuid").GetString());
        Assert.Equal(32, id!.Length);
        Assert.Equal("first", info.GetProperty("run_name").GetString());
        Assert.Equal("RUNNING", info.GetProperty("status").GetString());
        Assert.Equal(1700000000000, info.GetProperty("start_time").GetInt64());
        Assert.False(info.TryGetProperty("end_time", out _));
        Assert.Equal($"mlflow-artifacts:/0/{id}/artifacts", info.GetProperty("artifact_uri").GetString());
        Assert.Equal("active", info.GetProperty("lifecycle_stage").GetString());
        Assert.Contains(run.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "mlflow.runName");
    }

    [Fact]
    public async Task Nan_and_infinity_round_trip_as_strings()
    {
        var runId = await CreateRunAsync();
        foreach (var (key, value) in new[] { ("nan", "NaN"), ("pinf", "Infinity"), ("ninf", "-Infinity") })
        {
            await OkAsync(Api + "runs/log-metric", new { run_id = runId, key, value, timestamp = "5", step = "1" });
        }
        await OkAsync(Api + "runs/log-metric", new { run_id = runId, key = "big", value = 1e308, timestamp = long.MaxValue, step = long.MinValue });
        var metrics = (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data").GetProperty("metrics")
            .EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m);
        Assert.Equal("NaN", metrics["nan"].GetProperty("value").GetString());
        Assert.Equal("Infinity", metrics["pinf"].GetProperty("value").GetString());
        Assert.Equal("-Infinity", metrics["ninf"].GetProperty("value").GetString());
        Assert.Equal(1e308, metrics["big"].GetProperty("value").GetDouble());
        Assert.Equal(long.MaxValue, metrics["big"].GetProperty("timestamp").GetInt64());
        Assert.Equal(long.MinValue, metrics["big"].GetProperty("step").GetInt64());
    }

    [Fact]
    public async Task Over_limit_batches_are_rejected_whole()
    {
        var runId = await CreateRunAsync();
        var metrics = Enumerable.Range(0, 1001).Select(i => new { key = "m", value = (double)i, timestamp = 1L, step = (long)i }).ToArray();
        var (status, body) = await PostAsync(Api + "runs/log-batch", new { run_id = runId, metrics });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "at most 1000 metrics");
        var parameters = Enumerable.Range(0, 101).Select(i => new { key = "p" + i, value = "v" }).ToArray();
        (status, body) = await PostAsync(Api + "runs/log-batch", new { run_id = runId, @params = parameters });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "100 params");
        (status, body) = await PostAsync(Api + "runs/log-batch", new
        {
            run_id = runId,
            metrics = new[] { new { key = "ok", value = 1.0, timestamp = 1L, step = 0L } },
            tags = new[] { new { key = new string('k', 251), value = "v" } },
        });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "exceeded length limit of 250");
        (status, body) = await PostAsync(Api + "runs/log-batch", new { run_id = runId, @params = new[] { new { key = "p", value = new string('v', 6001) } } });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "6000");
        (status, body) = await PostAsync(Api + "runs/log-batch", new { run_id = runId, tags = new[] { new { key = "../etc", value = "v" } } });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid tag name");
        var data = (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data");
        Assert.False(data.TryGetProperty("metrics", out _));
        Assert.False(data.TryGetProperty("params", out _));
    }

    [Fact]
    public async Task Log_batch_accepts_protobuf_json_variants_and_names_bad_fields()
    {
        var runId = await CreateRunAsync();
        var body = $$"""
            {"ignored": {"x": [1, 2]}, "run_id": "{{runId}}",
             "metrics": [{"key": "m0", "value": "NaN", "timestamp": "12", "step": "3", "extra": null},
                         {"key": "m0", "value": 1.5, "timestamp": 13, "step": 4},
                         {"key": "m1", "value": "-Infinity", "timestamp": 1}],
             "params": [{"key": "p", "value": "7"}], "tags": [{"key": "t", "value": "x"}]}
            """;
        var (status, json) = await PostRawAsync(Api + "runs/log-batch", body);
        Assert.Equal(HttpStatusCode.OK, status);
        var history = await GetOkAsync(Api + $"metrics/get-history?run_id={runId}&metric_key=m0");
        Assert.Equal("NaN", history.GetProperty("metrics")[0].GetProperty("value").GetString());
        Assert.Equal(3, history.GetProperty("metrics")[0].GetProperty("step").GetInt64());
        Assert.Equal(1.5, history.GetProperty("metrics")[1].GetProperty("value").GetDouble());
        var data = (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data");
        Assert.Equal("7", data.GetProperty("params")[0].GetProperty("value").GetString());

        (status, json) = await PostRawAsync(Api + "runs/log-batch", "{\"metrics\": []}");
        AssertError(status, json, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'run_id'");
        (status, json) = await PostRawAsync(Api + "runs/log-batch", $"{{\"run_id\": \"{runId}\", \"metrics\": [{{\"key\": \"m\", \"value\": \"high\", \"timestamp\": 1}}]}}");
        AssertError(status, json, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'value'");
        (status, json) = await PostRawAsync(Api + "runs/log-batch", $"{{\"run_id\": \"{runId}\", \"metrics\": [{{\"value\": 1}}]}}");
        AssertError(status, json, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'key'");
        (status, json) = await PostRawAsync(Api + "runs/log-batch", "{\"run_id\": ");
        AssertError(status, json, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Malformed JSON");
    }

    [Fact]
    public async Task Numbers_where_strings_are_required_and_metrics_without_timestamps_are_refused_as_in_MLflow()
    {
        var runId = await CreateRunAsync();
        var before = (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data").ToString();
        foreach (var (path, body, names) in new[]
        {
            ("runs/log-batch", $$"""{"run_id": "{{runId}}", "params": [{"key": "p", "value": 7}]}""", "'value'"),
            ("runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": 31, "value": 1, "timestamp": 1}]}""", "'key'"),
            ("runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "m", "value": 1, "step": 0}]}""", "needs a 'timestamp'"),
            ("runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": 1}""", "'timestamp'"),
            ("runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "t", "value": 1.5}""", "'value'"),
            ("runs/log-parameter", $$"""{"run_id": "{{runId}}", "key": "p", "value": true}""", "'value'"),
            ("runs/update", """{"run_id": 123, "status": "FINISHED"}""", "'run_id'"),
            ("experiments/create", """{"name": 123}""", "'name'"),
            ("experiments/create", """{"name": "x", "artifact_location": 9.0}""", "'artifact_location'"),
        })
        {
            var (status, json) = await PostRawAsync(Api + path, body);
            AssertError(status, json, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", names);
        }
        Assert.Equal(before, (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data").ToString());
    }

    [Fact]
    public async Task A_body_over_one_megabyte_is_rejected()
    {
        var runId = await CreateRunAsync();
        var json = new StringBuilder($"{{\"run_id\":\"{runId}\",\"tags\":[{{\"key\":\"t\",\"value\":\"");
        json.Append('x', 1024 * 1024 + 10).Append("\"}]}");
        var (status, body) = await PostRawAsync(Api + "runs/log-batch", json.ToString());
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "over the limit");
    }

    [Fact]
    public async Task Changing_a_param_is_rejected_and_the_same_value_accepted()
    {
        var runId = await CreateRunAsync();
        await OkAsync(Api + "runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" });
        await OkAsync(Api + "runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" });
        var (status, body) = await PostAsync(Api + "runs/log-parameter", new { run_id = runId, key = "lr", value = "0.2" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed");
    }

    [Fact]
    public async Task Unknown_runs_are_404()
    {
        var (status, body) = await GetAsync(Api + "runs/get?run_id=0123456789abcdef0123456789abcdef");
        AssertError(status, body, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "0123456789abcdef0123456789abcdef");
        (status, body) = await PostAsync(Api + "runs/log-metric", new { run_id = "nope", key = "m", value = 1, timestamp = 1 });
        AssertError(status, body, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Search_applies_filters_and_names_bad_tokens()
    {
        for (var i = 0; i < 4; i++)
        {
            var runId = await CreateRunAsync(name: $"r{i}");
            await OkAsync(Api + "runs/log-batch", new
            {
                run_id = runId,
                metrics = new[] { new { key = "auc", value = 0.7 + (i / 100.0), timestamp = 1L, step = 0L } },
                @params = new[] { new { key = "learner", value = i % 2 == 0 ? "gbdt" : "forest" } },
            });
        }
        var found = await OkAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, filter = "metrics.auc > 0.705 AND params.learner = 'gbdt'", order_by = new[] { "metrics.auc DESC" } });
        Assert.Equal(["r2"], found.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString()));
        var paged = await OkAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, max_results = 3, order_by = new[] { "metrics.auc ASC" } });
        Assert.Equal(3, paged.GetProperty("runs").GetArrayLength());
        var rest = await OkAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, max_results = 3, order_by = new[] { "metrics.auc ASC" }, page_token = paged.GetProperty("next_page_token").GetString() });
        Assert.Equal("r3", rest.GetProperty("runs")[0].GetProperty("info").GetProperty("run_name").GetString());

        var (status, body) = await PostAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, filter = "metrics.auc >> 0.5" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'>'");
        (status, body) = await PostAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, filter = "params.learner = gbdt" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'gbdt'");
        (status, body) = await PostAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, filter = "colour.x = 'red'" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "colour.x");
        (status, body) = await PostAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, page_token = "garbage!" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "page token");
    }

    [Fact]
    public async Task Metric_history_pages_and_update_delete_restore_work()
    {
        var runId = await CreateRunAsync();
        var metrics = Enumerable.Range(0, 30).Select(i => new { key = "loss", value = 1.0 / (i + 1), timestamp = 100L + i, step = (long)i }).ToArray();
        await OkAsync(Api + "runs/log-batch", new { run_id = runId, metrics });
        var page = await GetOkAsync(Api + $"metrics/get-history?run_id={runId}&metric_key=loss&max_results=20");
        Assert.Equal(20, page.GetProperty("metrics").GetArrayLength());
        var next = await GetOkAsync(Api + $"metrics/get-history?run_id={runId}&metric_key=loss&max_results=20&page_token={Uri.EscapeDataString(page.GetProperty("next_page_token").GetString()!)}");
        Assert.Equal(10, next.GetProperty("metrics").GetArrayLength());
        Assert.Equal(29, next.GetProperty("metrics")[9].GetProperty("step").GetInt64());

        var updated = await OkAsync(Api + "runs/update", new { run_id = runId, status = "FINISHED", end_time = 2000 });
        Assert.Equal("FINISHED", updated.GetProperty("run_info").GetProperty("status").GetString());
        Assert.Equal(2000, updated.GetProperty("run_info").GetProperty("end_time").GetInt64());
        await OkAsync(Api + "runs/set-tag", new { run_id = runId, key = "x", value = "1" });
        await OkAsync(Api + "runs/delete-tag", new { run_id = runId, key = "x" });
        await OkAsync(Api + "runs/delete", new { run_id = runId });
        var (status, body) = await PostAsync(Api + "runs/set-tag", new { run_id = runId, key = "x", value = "1" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "active");
        await OkAsync(Api + "runs/restore", new { run_id = runId });
        await OkAsync(Api + "runs/set-tag", new { run_id = runId, key = "x", value = "1" });
    }

    [Fact]
    public async Task Dataset_inputs_are_logged_and_returned()
    {
        var runId = await CreateRunAsync();
        await OkAsync(Api + "runs/log-inputs", new
        {
            run_id = runId,
            datasets = new[]
            {
                new
                {
                    tags = new[] { new { key = "mlflow.data.context", value = "training" } },
                    dataset = new { name = "applicants", digest = "d1", source_type = "local", source = "{\"uri\":\"a.csv\"}", schema = "{}" },
                },
            },
        });
        var input = (await GetOkAsync(Api + $"runs/get?run_id={runId}")).GetProperty("run").GetProperty("inputs").GetProperty("dataset_inputs")[0];
        Assert.Equal("applicants", input.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal("training", input.GetProperty("tags")[0].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("WzEsMl0=")] // [1,2]
    [InlineData("eyJvZmZzZXQiOiAiMTAifQ==")] // {"offset": "10"}
    public async Task Page_tokens_of_the_wrong_shape_are_400_not_500(string token)
    {
        var (status, body) = await PostAsync(Api + "runs/search", new { experiment_ids = new[] { "0" }, page_token = token });
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "page token");
        (status, body) = await PostAsync(Api + "experiments/search", new { max_results = 10, page_token = token });
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "page token");
    }

    [Fact]
    public async Task Invalid_unicode_in_any_string_is_a_400_naming_the_field()
    {
        var runId = await CreateRunAsync();
        var (status, body) = await PostRawAsync(Api + "runs/set-tag", $$"""{"run_id":"{{runId}}","key":"k","value":"\ud800"}""");
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'value'");
        (status, body) = await PostRawAsync(Api + "runs/log-batch", $$"""{"run_id":"{{runId}}","metrics":[{"key":"\udc00x","value":1,"timestamp":1,"step":0}]}""");
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'key'");
        (status, body) = await PostRawAsync(Api + "runs/log-batch", $$"""{"run_id":"{{runId}}","params":[{"key":"p","value":"a\ud800b"}]}""");
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'value'");
        (status, body) = await PostRawAsync(Api + "experiments/create", """{"name":"\ud800"}""");
        AssertError(status, body, System.Net.HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'name'");
        var run = await GetOkAsync(Api + $"runs/get?run_id={runId}");
        Assert.False(run.GetProperty("run").GetProperty("data").TryGetProperty("params", out _));
    }
}
