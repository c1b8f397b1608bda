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
    [Fact]
    public async Task A_snapshot_joins_the_labels_that_arrived_estimates_performance_before_them_and_sets_the_gauges()
    {
        var rng = new Random(11);
        var regions = new[] { "north", "south", "east" };
        var labels = new List<object>();
        for (var chunk = 0; chunk < 6; chunk++)
        {
            var rows = Enumerable.Range(0, 50).Select(_ => (Income: rng.NextDouble(), Debt: rng.NextDouble(), Region: regions[rng.Next(3)])).ToList();
            using var response = await _server.Http.PostAsync("/deployments/loan/invocations", new StringContent(LoanDeployment.Records(rows), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var id = response.Headers.GetValues("Kiln-Request-Id").Single();
            if (chunk < 4)
            {
                // ground truth for 200 of the 300 rows, by the rule the training data follows
                labels.AddRange(rows.Select((r, i) => new
                {
                    request_id = i == 0 ? id : $"{id}:{i}",
                    label = r.Income - (0.8 * r.Debt) + (r.Region == "north" ? 0.3 : 0) > 0.2 ? "1" : "0",
                }));
            }
        }
        JsonElement snapshot = default;
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(50); // the prediction log is written off the request path
            using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/monitor?window=1h"));
            snapshot = doc.RootElement.Clone();
            if (snapshot.GetProperty("rows").GetInt32() == 300)
            {
                break;
            }
        }
        Assert.Equal(300, snapshot.GetProperty("rows").GetInt32());
        Assert.False(snapshot.GetProperty("prediction_drift").GetProperty("drifted").GetBoolean()); // applicants like the training data's
        var before = snapshot.GetProperty("performance");
        Assert.Equal(0, before.GetProperty("labelled").GetInt32());
        Assert.Empty(before.GetProperty("realised").EnumerateObject());
        var estimated = before.GetProperty("estimated").GetProperty("accuracy").GetDouble();
        Assert.InRange(estimated, 0.5, 1);
        Assert.True(before.GetProperty("baseline").TryGetProperty("roc_auc", out _)); // the training run's evaluation
        Assert.All(snapshot.GetProperty("quality").EnumerateArray(), q => Assert.False(q.GetProperty("issue").GetBoolean(), q.GetRawText()));

        using var feedback = await _server.Http.PostAsync("/api/kiln/feedback", new StringContent(JsonSerializer.Serialize(new { labels }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        using var after = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/monitor?window=1h"));
        var performance = after.RootElement.GetProperty("performance");
        Assert.Equal(200, performance.GetProperty("labelled").GetInt32());
        Assert.InRange(performance.GetProperty("realised").GetProperty("accuracy").GetDouble(), 0.6, 1);
        Assert.True(performance.GetProperty("realised").TryGetProperty("roc_auc", out _));

        using var status = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/monitoring/status?window=1h"));
        var loan = Assert.Single(status.RootElement.GetProperty("deployments").EnumerateArray());
        Assert.Equal("loan", loan.GetProperty("deployment").GetString());
        Assert.Equal(300, loan.GetProperty("rows").GetInt32());

        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("kiln_monitor_window_rows{deployment=\"loan\"} 300", metrics, StringComparison.Ordinal);
        Assert.Contains("kiln_monitor_performance{deployment=\"loan\",metric=\"accuracy\",kind=\"realised\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("kiln_monitor_feature_drift_score{deployment=\"loan\",feature=\"income\"", metrics, StringComparison.Ordinal);
    }
    [Fact]
    public async Task A_routes_monitoring_reference_is_stored_and_shown_over_REST_and_a_bad_one_refused()
    {
        using var put = await _server.Http.PutAsync("/api/kiln/deployments/loan", new StringContent(
            """{"routes": [{"name": "champion", "model": "models:/loan@champion", "reference": "datasets:/applicants/3/today.csv"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var doc = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan")))
        {
            var route = Assert.Single(doc.RootElement.GetProperty("deployment").GetProperty("routes").EnumerateArray());
            Assert.Equal("datasets:/applicants/3/today.csv", route.GetProperty("reference").GetString());
        }
        using var bad = await _server.Http.PutAsync("/api/kiln/deployments/loan", new StringContent(
            """{"routes": [{"name": "champion", "model": "models:/loan@champion", "reference": "today.csv"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is not a dataset version", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await _server.Http.GetAsync("/api/kiln/deployments/loan/monitor?window=1h"); // the data set does not exist
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
