using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Server.Tests.Serving;
using Kiln.Testing;

namespace Kiln.Server.Tests.Monitoring;

/// <summary>Drift of a deployment's live inputs, read from its prediction log, against the model's training profile.</summary>
public sealed class MonitoringSurfaceTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server); // trained on income, debt ~ U(0, 1) and three regions
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Shifted_income_is_flagged_and_the_unchanged_features_are_not()
    {
        // 400 applicants whose income moved up by half the range; debt and region as in training
        var rng = new Random(5);
        var regions = new[] { "north", "south", "east" };
        var rows = Enumerable.Range(0, 400).Select(_ => (Income: 0.5 + (rng.NextDouble() * 0.5), Debt: rng.NextDouble(), Region: regions[rng.Next(3)])).ToList();
        foreach (var chunk in rows.Chunk(50))
        {
            using var response = await _server.Http.PostAsync("/deployments/loan/invocations", new StringContent(LoanDeployment.Records(chunk), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        JsonElement drift = default;
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(50); // the prediction log is written off the request path
            using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/drift?window=1h"));
            drift = doc.RootElement.Clone();
            if (drift.GetProperty("rows").GetInt32() == 400)
            {
                break;
            }
        }

        Assert.Equal(400, drift.GetProperty("rows").GetInt32());
        Assert.Equal("champion", drift.GetProperty("route").GetString());
        var features = drift.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(["debt", "income", "region"], features.Keys.Order());
        Assert.True(features["income"].GetProperty("drifted").GetBoolean());
        Assert.Equal("ks", features["income"].GetProperty("method").GetString()); // 400 training rows: the small-sample tests
        Assert.False(features["debt"].GetProperty("drifted").GetBoolean());
        Assert.False(features["region"].GetProperty("drifted").GetBoolean());
        Assert.Equal("chisquare", features["region"].GetProperty("method").GetString());

        var html = await _server.Http.GetStringAsync("/api/kiln/deployments/loan/drift.html?window=1h&method=psi");
        Assert.Contains("data-column=\"income\" data-drifted=\"true\"", html, StringComparison.Ordinal);

        using var bad = await _server.Http.GetAsync("/api/kiln/deployments/loan/drift?window=soon");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("e.g. 30m, 24h or 7d", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await _server.Http.GetAsync("/api/kiln/deployments/nope/drift");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
