using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Server.Serving;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>A deployment served over MLflow's scoring protocol by a real server: formats, routes, bad input, and a hot reload under load.</summary>
public sealed class ServingSurfaceTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        var train = LoanData.Write(_server.Directory, "train.csv", 800, 41);
        var registry = _server.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        foreach (var rounds in new[] { "2", "30" })
        {
            var run = await _server.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = rounds }));
            await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        }
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await registry.SetAliasAsync("loan", "challenger", "2", new AliasChange("ana", "set", null));
        await _server.Get<DeploymentService>().CreateAsync("loan",
            [new("champion", "models:/loan@champion", 100, false), new("challenger", "models:/loan@challenger", 0, false), new("next", "models:/loan/2", 0, true)], "ana");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string body, string type = "application/json", string? route = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/deployments/loan/invocations") { Content = new StringContent(body, Encoding.UTF8, type) };
        if (route is not null)
        {
            request.Headers.Add("Kiln-Route", route);
        }
        var response = await _server.Http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone(), response);
    }

    [Fact]
    public async Task Every_mlflow_input_format_scores_the_same_and_routes_and_errors_are_clear()
    {
        var split = await PostAsync("""{"dataframe_split": {"columns": ["income", "debt", "region"], "data": [[0.9, 0.1, "north"], [0.1, 0.9, "south"]]}}""");
        Assert.Equal(HttpStatusCode.OK, split.Status);
        Assert.Equal("champion", split.Response.Headers.GetValues("Kiln-Route").Single());
        Assert.Equal("loan/1", split.Response.Headers.GetValues("Kiln-Model-Version").Single());
        var expected = split.Body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(2, expected.Count);
        Assert.True(expected[0] > expected[1], "a rich applicant scores above a poor one");

        var records = await PostAsync("""{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}, {"income": 0.1, "debt": 0.9, "region": "south"}]}""");
        var inputs = await PostAsync("""{"inputs": {"income": [0.9, 0.1], "debt": [0.1, 0.9], "region": ["north", "south"]}}""");
        var csv = await PostAsync("income,debt,region\n0.9,0.1,north\n0.1,0.9,south\n", "text/csv");
        foreach (var other in new[] { records, inputs, csv })
        {
            Assert.Equal(HttpStatusCode.OK, other.Status);
            Assert.Equal(expected, other.Body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble()));
        }

        var pinned = await PostAsync("""{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}]}""", route: "challenger");
        Assert.Equal(("challenger", "loan/2"), (pinned.Response.Headers.GetValues("Kiln-Route").Single(), pinned.Response.Headers.GetValues("Kiln-Model-Version").Single()));

        var missing = await PostAsync("""{"dataframe_records": [{"income": 0.9, "region": "north"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("no column 'debt'", missing.Body.GetProperty("message").GetString());
        var wrongType = await PostAsync("""{"dataframe_records": [{"income": "plenty", "debt": 0.1, "region": "north"}]}""");
        Assert.Contains("Row 0, column 'income': \"plenty\" is not a number", wrongType.Body.GetProperty("message").GetString());
        foreach (var malformed in new[] { """{"dataframe_split": 5}""", """{"dataframe_split": {"columns": ["a", "a"], "data": []}}""", """[1, 2]""", """{"rows": []}""" })
        {
            var refused = await PostAsync(malformed);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status); // a clear 400, never a 500
        }
        var unknownRoute = await PostAsync("""{"dataframe_records": []}""", route: "nope");
        Assert.Contains("has no route 'nope'", unknownRoute.Body.GetProperty("message").GetString());
        using var ping = await _server.Http.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Moving_the_alias_under_load_swaps_the_served_version_with_no_failed_request()
    {
        const string body = """{"dataframe_records": [{"income": 0.5, "debt": 0.5, "region": "east"}]}""";
        Assert.Equal("loan/1", (await PostAsync(body)).Response.Headers.GetValues("Kiln-Model-Version").Single());
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode, string)>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, _, response) = await PostAsync(body);
                seen.Add((status, response.Headers.TryGetValues("Kiln-Model-Version", out var v) ? v.Single() : ""));
            }
        })).ToList();
        for (var i = 0; i < 100 && seen.Count(s => s.Item2 == "loan/1") < 20; i++)
        {
            await Task.Delay(50); // the load is running on version 1
        }
        await _server.Get<RegistryService>().SetAliasAsync("loan", "champion", "2", new AliasChange("bo", "promote", null));
        var deadline = DateTime.UtcNow.AddSeconds(5); // the reloader checks every second
        while (DateTime.UtcNow < deadline && !seen.Any(s => s.Item2 == "loan/2"))
        {
            await Task.Delay(100);
        }
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.All(seen, s => Assert.Equal(HttpStatusCode.OK, s.Item1));
        Assert.Contains(seen, s => s.Item2 == "loan/1");
        Assert.Contains(seen, s => s.Item2 == "loan/2");
        Assert.Empty(_server.Get<ServedModels>().Failures);
    }

    [Fact]
    public async Task The_open_inference_protocol_serves_the_same_predictions_with_its_own_shapes_and_errors()
    {
        var live = await _server.Http.GetStringAsync("/v2/health/live");
        Assert.Contains("\"live\":true", live);
        using (var meta = JsonDocument.Parse(await _server.Http.GetStringAsync("/v2/models/loan")))
        {
            Assert.Equal(["income", "debt", "region"], meta.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
            Assert.Equal("BYTES", meta.RootElement.GetProperty("inputs")[2].GetProperty("datatype").GetString());
            Assert.Equal("1", meta.RootElement.GetProperty("versions")[0].GetString());
        }
        const string infer = """
            {"id": "req-7", "inputs": [
              {"name": "income", "shape": [2, 1], "datatype": "FP64", "data": [[0.9], [0.1]]},
              {"name": "debt", "shape": [2], "datatype": "FP64", "data": [0.1, 0.9]},
              {"name": "region", "shape": [2], "datatype": "BYTES", "data": ["north", "south"]}]}
            """;
        using var response = await _server.Http.PostAsync("/v2/models/loan/infer", new StringContent(infer, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("req-7", result.RootElement.GetProperty("id").GetString());
        var probability = result.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probability");
        var mlflow = await PostAsync("""{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}, {"income": 0.1, "debt": 0.9, "region": "south"}]}""");
        Assert.Equal(mlflow.Body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble()),
            probability.GetProperty("data").EnumerateArray().Select(p => p.GetDouble()));

        using var bad = await _server.Http.PostAsync("/v2/models/loan/infer", new StringContent("""{"inputs": [{"name": "income", "data": [1]}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Contains("Missing input tensor(s) 'debt', 'region'", error.RootElement.GetProperty("error").GetString());
        foreach (var malformed in new[] { """{"inputs": [5]}""", """[]""", """{"inputs": [{"name": "income", "data": [1]}, {"name": "income", "data": [1]}]}""" })
        {
            using var refused = await _server.Http.PostAsync("/v2/models/loan/infer", new StringContent(malformed, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
        using var unknown = await _server.Http.PostAsync("/v2/models/nope/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var big = new string('x', ServingLimits.DefaultMaxBodyBytes + 10);
        using var tooLarge = await _server.Http.PostAsync("/deployments/loan/invocations", new StringContent(big, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task Deployments_are_managed_over_rest_with_versions_rollback_and_an_audit_trail()
    {
        using var client = new Kiln.Client.KilnClient(_server.BaseUri);
        var bad = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => client.CreateDeploymentAsync("two", [new("a", "s3://model", 100, false)]));
        Assert.Contains("is not a model reference", bad.Message);
        await client.CreateDeploymentAsync("two", [new("champion", "models:/loan@champion", 100, false)]);
        var updated = await client.UpdateDeploymentAsync("two", [new("champion", "models:/loan@champion", 90, false), new("challenger", "models:/loan@challenger", 10, false)]);
        Assert.Equal(2, updated.Version);
        var back = await client.RollbackDeploymentAsync("two");
        Assert.Equal((3, 1), (back.Version, back.Routes.Count));
        Assert.Equal(2, (await client.ListDeploymentsAsync()).Count);
        var audit = await client.GetAuditAsync("deployments/two");
        Assert.Equal(["deployment.create", "deployment.update", "deployment.update"], audit.Select(e => e.Action));
        await client.DeleteDeploymentAsync("two");
        Assert.Equal(Kiln.Core.Errors.ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => client.GetDeploymentAsync("two"))).Code);
    }

    [Fact]
    public async Task Served_rows_and_shadow_answers_reach_the_prediction_log_and_ground_truth_joins_them()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/deployments/loan/invocations")
        {
            Content = new StringContent("""{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}, {"income": 0.2, "debt": 0.7, "region": null}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Kiln-Request-Id", "app-1");
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal("app-1", response.Headers.GetValues("Kiln-Request-Id").Single());

        JsonElement[] logged = [];
        for (var i = 0; i < 100 && logged.Length < 4; i++)
        {
            await Task.Delay(50); // written in batches off the request path, shadows after the answer
            using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/predictions"));
            logged = [.. doc.RootElement.GetProperty("predictions").EnumerateArray().Select(e => e.Clone())];
        }
        Assert.Equal(["app-1/champion/False", "app-1/next/True", "app-1:1/champion/False", "app-1:1/next/True"],
            logged.Select(p => $"{p.GetProperty("request_id").GetString()}/{p.GetProperty("route").GetString()}/{p.GetProperty("shadow").GetBoolean()}").Order(StringComparer.Ordinal));
        var first = logged.First(p => p.GetProperty("route").GetString() == "champion" && p.GetProperty("request_id").GetString() == "app-1");
        Assert.Equal(0.9, first.GetProperty("inputs").GetProperty("income").GetDouble());
        Assert.Equal("loan/1", first.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, logged.First(p => p.GetProperty("request_id").GetString() == "app-1:1").GetProperty("inputs").GetProperty("region").ValueKind);

        using var client = new Kiln.Client.KilnClient(_server.BaseUri);
        var notFound = await client.PostFeedbackAsync([("app-1", "1"), ("app-1:1", "0"), ("nope", "1")]);
        Assert.Equal(["nope"], notFound);
        using var after = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/predictions"));
        Assert.All(after.RootElement.GetProperty("predictions").EnumerateArray(), p => Assert.True(p.TryGetProperty("label", out _)));
    }
}
