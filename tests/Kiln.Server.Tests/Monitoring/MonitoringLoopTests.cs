using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Webhooks;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Kiln.Engine.Registry.Webhooks;
using Kiln.Server.Tests.Serving;
using Kiln.Testing;

namespace Kiln.Server.Tests.Monitoring;

/// <summary>
/// The issue's loop: the champion serves traffic replayed with a drift knob on income; a monitoring round flags income
/// and not the others, estimates performance before labels, fires the drift alert and a signed webhook reaches a test
/// server on loopback; ground truth that the world changed arrives, and the next round sees the realised drop and fires
/// the accuracy rule; the report and /metrics show it all.
/// </summary>
public sealed class MonitoringLoopTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;
    private readonly HttpListener _listener = new();
    private readonly List<(string Event, string Signature, string Body)> _received = [];
    private string _hookUrl = "";

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server);
        var port = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).DefaultIfEmpty(0).Max() + 1;
        for (; ; port++)
        {
            try
            {
                _hookUrl = $"http://127.0.0.1:{port}/hook/";
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add(_hookUrl);
                _listener.Start();
                break;
            }
            catch (HttpListenerException)
            {
            }
        }
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                lock (_received)
                {
                    _received.Add((context.Request.Headers["X-Kiln-Event"] ?? "", context.Request.Headers["X-Kiln-Signature"] ?? "", body));
                }
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });
    }

    public async Task DisposeAsync()
    {
        _listener.Close();
        await _server.DisposeAsync();
    }

    private static IEnumerable<(double Income, double Debt, string Region)> Applicants(int count, int seed, double incomeShift)
    {
        var rng = new Random(seed);
        var regions = new[] { "north", "south", "east" };
        return Enumerable.Range(0, count).Select(_ => (Math.Min(1, (rng.NextDouble() * (1 - incomeShift)) + incomeShift), rng.NextDouble(), regions[rng.Next(3)])).ToList();
    }

    [Fact]
    public async Task Drift_is_flagged_on_the_shifted_feature_an_alert_reaches_a_webhook_and_the_realised_drop_fires_once_labels_arrive()
    {
        await _server.Get<AlertService>().ApplyAsync("""
            rules:
              - name: loan-drift
                deployment: loan
                when: drift_share >= 0.3
                severity: critical
                actions: [webhook, {trigger: pipeline retrain-loan}]
              - name: loan-accuracy
                deployment: loan
                when: realised.accuracy < 0.5
                actions: [webhook, log]
            """, "ana", prune: false);
        await _server.Get<WebhookService>().AddAsync(_hookUrl, [WebhookEvents.AlertFired], null, "s3cret", "ana");

        // traffic with the drift knob at 0.6 for income: the lower 60 % of incomes never arrive
        var applicants = Applicants(300, 8, incomeShift: 0.6).ToList();
        var ids = new List<string>();
        foreach (var chunk in applicants.Chunk(50))
        {
            using var response = await _server.Http.PostAsync("/deployments/loan/invocations", new StringContent(LoanDeployment.Records(chunk), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var id = response.Headers.GetValues("Kiln-Request-Id").Single();
            ids.AddRange(chunk.Select((_, i) => i == 0 ? id : $"{id}:{i}"));
        }
        for (var i = 0; i < 100 && (await _server.Get<MonitorService>().SnapshotAsync("loan", TimeSpan.FromHours(1), null, null)).Drift.Rows < 300; i++)
        {
            await Task.Delay(50); // the prediction log is written off the request path
        }

        var round = Assert.Single(await _server.Get<MonitorRound>().RunAsync(TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(1)));
        var snapshot = round.Snapshot!;
        Assert.Equal(300, snapshot.Drift.Rows);
        Assert.Equal(["income"], snapshot.Drift.Report.Columns.Where(c => c.Drifted).Select(c => c.Column));
        Assert.True(snapshot.PredictionDrift is { Drifted: true }, $"prediction drift {snapshot.PredictionDrift}"); // richer applicants: more approvals than in training
        var (baseline, estimated) = (snapshot.Performance.Baseline["accuracy"], snapshot.Performance.Estimated["accuracy"]);
        Assert.True(baseline - estimated > 0.05, $"estimated {estimated} against the baseline {baseline}"); // the drop, estimated before any label
        Assert.Equal(0, snapshot.Performance.Labelled);
        Assert.Equal(["loan-drift fired"], round.Changes.Select(c => $"{c.Alert.Rule} {c.Change}"));

        Assert.Equal(1, await _server.Get<WebhookService>().DeliverDueAsync());
        var (eventName, signature, body) = Assert.Single(_received);
        Assert.Equal(WebhookEvents.AlertFired, eventName);
        Assert.Equal(WebhookService.Sign("s3cret", Encoding.UTF8.GetBytes(body)), signature);
        using (var payload = JsonDocument.Parse(body))
        {
            Assert.Equal("loan-drift", payload.RootElement.GetProperty("rule").GetString());
            Assert.Equal("retrain-loan", payload.RootElement.GetProperty("trigger").GetProperty("pipeline").GetString());
            Assert.Equal(round.Changes[0].Alert.Id, payload.RootElement.GetProperty("alert_id").GetInt64());
        }

        // ground truth: the world changed (every one of these applicants defaulted), so the model's approvals were wrong
        await Task.Delay(5); // the next round is a later window
        var labels = ids.Select(id => new { request_id = id, label = "0" }).ToList();
        using (var feedback = await _server.Http.PostAsync("/api/kiln/feedback", new StringContent(JsonSerializer.Serialize(new { labels }), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, feedback.StatusCode);
        }
        var next = Assert.Single(await _server.Get<MonitorRound>().RunAsync(TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(1)));
        Assert.Equal(300, next.Snapshot!.Performance.Labelled);
        var realised = next.Snapshot.Performance.Realised["accuracy"];
        Assert.True(realised < 0.5 && next.Snapshot.Performance.Baseline["accuracy"] > 0.7, $"realised {realised}, baseline {next.Snapshot.Performance.Baseline["accuracy"]}");
        Assert.Equal(["loan-accuracy fired"], next.Changes.Select(c => $"{c.Alert.Rule} {c.Change}"));

        var html = await _server.Http.GetStringAsync("/api/kiln/deployments/loan/monitor.html?window=1h");
        Assert.Contains("data-column=\"income\" data-drifted=\"true\"", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"performance\">", html, StringComparison.Ordinal);
        Assert.Contains("300 of 300 rows labelled", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"charts\" id=\"history\">", html, StringComparison.Ordinal); // drift and performance over time
        Assert.Contains("<td>loan-drift</td>", html, StringComparison.Ordinal); // the alert timeline
        Assert.Contains("<td>loan-accuracy</td>", html, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/monitor?window=1h")))
        {
            var history = json.RootElement.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal(300, history.Sum(p => p.GetProperty("rows").GetInt32()));
            Assert.Equal(300, history.Sum(p => p.GetProperty("labelled").GetInt32()));
        }
        (await _server.Http.GetAsync("/api/kiln/deployments/loan/monitor?window=1h")).Dispose(); // a REST snapshot sets the gauges, as each scheduled round does
        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("kiln_monitor_drifted_share{deployment=\"loan\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("kiln_monitor_prediction_drift_score{deployment=\"loan\",method=\"ks\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("id=\"prediction-drift\">drifted", html, StringComparison.Ordinal);
        Assert.Contains("kiln_monitor_performance{deployment=\"loan\",metric=\"accuracy\",kind=\"realised\"}", metrics, StringComparison.Ordinal);
    }
}
