using System.Net;
using System.Text;
using System.Text.Json;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>The artifact routes MLflow's UI uses, log-model, dataset summaries, and MLflow's exact path and value messages.</summary>
public sealed class UiArtifactEndpointsTests : ServerTestBase
{
    private const string Api = "api/2.0/mlflow/";

    [Fact]
    public async Task Upload_artifact_then_get_artifact_round_trips_and_bad_requests_say_what_is_missing()
    {
        var runId = await CreateRunAsync();
        using (var upload = await Http.PostAsync($"ajax-api/2.0/mlflow/upload-artifact?run_uuid={runId}&path=notes/hello.txt", new StringContent("hello world")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }
        Assert.Equal("hello world", await Http.GetStringAsync($"get-artifact?run_uuid={runId}&path=notes/hello.txt"));
        // an uploaded page opened from a link runs sandboxed: no script, no access to the console's origin
        using (var html = await Http.PostAsync($"ajax-api/2.0/mlflow/upload-artifact?run_uuid={runId}&path=x.html", new StringContent("<script>fetch('/api')</script>")))
        {
            Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        }
        using (var page = await Http.GetAsync($"get-artifact?run_uuid={runId}&path=x.html"))
        {
            Assert.Equal("sandbox", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        }
        var listed = await GetOkAsync($"{Api}artifacts/list?run_id={runId}&path=notes");
        Assert.Equal("notes/hello.txt", listed.GetProperty("files")[0].GetProperty("path").GetString());

        foreach (var (query, body, message) in new[]
        {
            ("", "x", "Request must specify run_uuid."),
            ($"run_uuid={runId}", "x", "Request must specify path."),
            ($"run_uuid={runId}&path=../escape.txt", "x", "Invalid path"),
            ($"run_uuid={runId}&path=empty.txt", "", "Request must specify data."),
        })
        {
            using var response = await Http.PostAsync($"ajax-api/2.0/mlflow/upload-artifact?{query}", new StringContent(body));
            AssertError(response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, HttpStatusCode.BadRequest,
                "INVALID_PARAMETER_VALUE", message);
        }
        Assert.False(File.Exists(Path.Combine(Server.Directory, "escape.txt")));
    }

    [Theory]
    [InlineData("api/2.0/mlflow/artifacts/list?run_id={0}&path=../path")]
    [InlineData("get-artifact?run_id={0}&path=../path")]
    [InlineData("/model-versions/get-artifact?name=model&version=1&path=../path")]
    [InlineData("api/2.0/mlflow-artifacts/artifacts/a%2F..%2Fb")]
    public async Task An_unsafe_path_gets_exactly_MLflows_answer(string route)
    {
        var runId = await CreateRunAsync();
        using var response = await Http.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, runId));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid path"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Log_model_appends_to_the_runs_model_history_and_checks_the_document()
    {
        var runId = await CreateRunAsync();
        for (var i = 0; i < 2; i++)
        {
            var model = JsonSerializer.Serialize(new { artifact_path = $"model{i}", flavors = new { python_function = new { } }, utc_time_created = "2026-12-06 00:00:00.000000", run_id = runId });
            await OkAsync(Api + "runs/log-model", new { run_id = runId, model_json = model });
        }
        var tags = (await GetOkAsync($"{Api}runs/get?run_id={runId}")).GetProperty("run").GetProperty("data").GetProperty("tags");
        var history = JsonDocument.Parse(tags.EnumerateArray().Single(t => t.GetProperty("key").GetString() == "mlflow.log-model.history").GetProperty("value").GetString()!);
        Assert.Equal(["model0", "model1"], history.RootElement.EnumerateArray().Select(m => m.GetProperty("artifact_path").GetString()));

        var (status, body) = await PostAsync(Api + "runs/log-model", new { run_id = runId, model_json = """{"artifact_path": "m"}""" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "missing mandatory fields");
        (status, body) = await PostAsync(Api + "runs/log-model", new { run_id = runId, model_json = "{not json" });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "is not a valid JSON");
    }

    [Fact]
    public async Task Search_datasets_lists_each_dataset_and_context_once()
    {
        var experiment = (await OkAsync(Api + "experiments/create", new { name = "datasets" })).GetProperty("experiment_id").GetString()!;
        foreach (var context in new[] { "training", "training", "evaluation" })
        {
            var runId = await CreateRunAsync(experiment);
            await OkAsync(Api + "runs/log-inputs", new
            {
                run_id = runId,
                datasets = new[] { new { dataset = new { name = "loans", digest = "abc", source_type = "local", source = "loans.csv" }, tags = new[] { new { key = "mlflow.data.context", value = context } } } },
            });
        }
        var summaries = (await OkAsync(Api + "experiments/search-datasets", new { experiment_ids = new[] { experiment } })).GetProperty("dataset_summaries");
        Assert.Equal(["evaluation", "training"], summaries.EnumerateArray().Select(s => s.GetProperty("context").GetString()));
        var (status, body) = await PostAsync(Api + "experiments/search-datasets", new { experiment_ids = Array.Empty<string>() });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "at least one experiment_id");
        (status, body) = await PostAsync(Api + "runs/log-inputs", new { run_id = await CreateRunAsync(experiment) });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'datasets'");
    }

    [Fact]
    public async Task Messages_print_the_offending_value_as_MLflow_does()
    {
        var runId = await CreateRunAsync();
        var (status, body) = await PostRawAsync(Api + "runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "mae", "value": 2.5}]}""");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid value [{'key': 'mae', 'value': 2.5}] for parameter 'metrics' supplied");
        (status, body) = await PostRawAsync(Api + "runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{"key": "mae", "value": 2.5}] x}""");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Malformed JSON");
        (status, body) = await PostRawAsync(Api + "runs/log-batch", $$"""{"run_id": "{{runId}}", "params": "foo"}""");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid value foo for parameter 'params' supplied");
        (status, body) = await PostRawAsync(Api + "experiments/create", """{"name": "x", "tags": "5"}""");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid value 5 for parameter 'tags'");
        (status, body) = await PostRawAsync(Api + "runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": 1, "timestamp": 1, "step": "foo"}""");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid value foo for parameter 'step' supplied");
    }

    [Fact]
    public async Task A_relative_artifact_location_is_taken_from_the_servers_working_directory()
    {
        var id = (await OkAsync(Api + "experiments/create", new { name = "relative", artifact_location = "my_location" })).GetProperty("experiment_id").GetString();
        var experiment = (await GetOkAsync($"{Api}experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal(Path.GetFullPath("my_location"), experiment.GetProperty("artifact_location").GetString());
    }
}
