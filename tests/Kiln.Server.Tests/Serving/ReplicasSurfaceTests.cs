using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>
/// A real server beating every 200 ms: after some scoring requests, <c>/api/kiln/deployments/NAME/replicas</c> names this
/// process as a live replica serving version 1 with the traffic it answered, and the client reads the same.
/// </summary>
public sealed class ReplicasSurfaceTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync(configure: services => services.AddFastHeartbeat(TimeSpan.FromMilliseconds(200)));
        var run = await _server.Get<TrainingSession>().RunAsync(new TrainRequest(LoanData.Write(_server.Directory, "train.csv", 300, 8), "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "2" }));
        var registry = _server.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await _server.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 90, false), new("canary", "models:/loan/1", 10, false)], "ana");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> GetAsync(string path)
    {
        using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task The_server_reports_itself_as_a_live_replica_with_the_version_and_traffic_of_each_route()
    {
        for (var i = 0; i < 12; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/deployments/loan/invocations")
            {
                Content = new StringContent(i < 10 ? """{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}]}""" : """{"dataframe_records": [{"region": "north"}]}""",
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Kiln-Route", "champion");
            using var response = await _server.Http.SendAsync(request);
            Assert.Equal(i < 10 ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        }

        JsonElement body = default;
        for (var tries = 0; tries < 100; tries++) // the next beats carry the requests
        {
            body = await GetAsync("/api/kiln/deployments/loan/replicas");
            if (body.GetProperty("routes")[0].GetProperty("requests").GetInt64() == 12)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(("loan", 1), (body.GetProperty("deployment").GetString(), body.GetProperty("version").GetInt32()));
        var champion = body.GetProperty("routes")[0];
        Assert.Equal(("champion", 12L, 2L, 12L, 2L), (champion.GetProperty("route").GetString(), champion.GetProperty("requests").GetInt64(), champion.GetProperty("errors").GetInt64(),
            champion.GetProperty("recent_requests").GetInt64(), champion.GetProperty("recent_errors").GetInt64()));
        Assert.True(champion.GetProperty("requests_per_second").GetDouble() > 0);
        Assert.True(champion.GetProperty("p95_ms").GetDouble() >= champion.GetProperty("p50_ms").GetDouble());
        Assert.Equal(0, body.GetProperty("routes")[1].GetProperty("requests").GetInt64());

        var replica = Assert.Single(body.GetProperty("replicas").EnumerateArray());
        Assert.Equal("live", replica.GetProperty("status").GetString());
        Assert.EndsWith($":{_server.BaseUri.Port}/{Environment.ProcessId}", replica.GetProperty("replica").GetString());
        var route = replica.GetProperty("routes")[0];
        Assert.Equal(("champion", "loan", 1), (route.GetProperty("route").GetString(), route.GetProperty("model_name").GetString(), route.GetProperty("model_version").GetInt32()));
        Assert.False(replica.GetProperty("routes")[1].TryGetProperty("model_version", out _)); // the canary has had no request: nothing loaded for it yet

        var overview = (await GetAsync("/api/kiln/replicas")).GetProperty("deployments").EnumerateArray().Single();
        Assert.Equal(("loan", 1, 0, 12L), (overview.GetProperty("name").GetString(), overview.GetProperty("live_replicas").GetInt32(),
            overview.GetProperty("stale_replicas").GetInt32(), overview.GetProperty("routes")[0].GetProperty("requests").GetInt64()));

        using var client = new Kiln.Client.KilnClient(_server.BaseUri);
        var replicas = await client.GetDeploymentReplicasAsync("loan");
        Assert.Equal((12L, 2L), (replicas.Routes[0].Requests, replicas.Routes[0].Errors));
        var info = Assert.Single(replicas.Replicas);
        Assert.True(info.Live);
        Assert.Equal(("loan", 1), (info.Routes[0].ModelName, info.Routes[0].ModelVersion));
        Assert.Equal(Kiln.Core.Errors.ErrorCode.ResourceDoesNotExist,
            (await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => client.GetDeploymentReplicasAsync("nope"))).Code);
    }
}
