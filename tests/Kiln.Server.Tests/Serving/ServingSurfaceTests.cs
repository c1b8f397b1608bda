using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
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
        await Task.Delay(300);
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
}
