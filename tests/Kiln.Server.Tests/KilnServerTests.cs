using System.Net;

namespace Kiln.Server.Tests;

public sealed class KilnServerTests : ServerTestBase
{
    [Fact]
    public async Task Health_and_version_answer()
    {
        Assert.Equal("OK", await Http.GetStringAsync("health"));
        Assert.Equal(KilnServer.Version, await Http.GetStringAsync("version"));
    }

    [Fact]
    public async Task Ajax_api_serves_the_same_routes()
    {
        var json = await GetOkAsync("ajax-api/2.0/mlflow/experiments/get?experiment_id=0");
        Assert.Equal("Default", json.GetProperty("experiment").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Unknown_endpoints_get_the_error_envelope()
    {
        var (status, body) = await GetAsync("api/2.0/mlflow/no/such/thing");
        AssertError(status, body, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
    }

    [Fact]
    public async Task Malformed_json_and_missing_parameters_are_invalid_parameter_value()
    {
        var (status, body) = await PostRawAsync("api/2.0/mlflow/experiments/create", "{not json");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Malformed JSON");
        (status, body) = await PostAsync("api/2.0/mlflow/experiments/create", new { });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'");
        (status, body) = await GetAsync("api/2.0/mlflow/runs/get");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "'run_id'");
    }

    [Fact]
    public async Task Many_concurrent_requests_all_succeed()
    {
        var runId = await CreateRunAsync();
        var tasks = Enumerable.Range(0, 200).Select(i => PostAsync("api/2.0/mlflow/runs/log-metric",
            new { run_id = runId, key = "m" + (i % 5), value = i, timestamp = i, step = i }));
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var history = await GetOkAsync($"api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m0");
        Assert.Equal(40, history.GetProperty("metrics").GetArrayLength());
    }
}

public sealed class UnknownRouteTests : ServerTestBase
{
    [Theory]
    [InlineData("GET", "api/2.0/mlflow/nope")]
    [InlineData("POST", "ajax-api/2.0/mlflow/nope")]
    [InlineData("GET", "api/2.0/mlflow-artifacts/nope")]
    [InlineData("GET", "nope")]
    [InlineData("GET", "api/2.0/mlflow/runs/create")]
    public async Task Every_unknown_route_answers_endpoint_not_found(string method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ENDPOINT_NOT_FOUND", body.RootElement.GetProperty("error_code").GetString());
    }
}
