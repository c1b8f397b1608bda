using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>/metrics counts served requests by deployment, route, version and status, and a real Prometheus server (Debian's, installed by test.sh) scrapes it.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task A_real_prometheus_scrapes_the_serving_metrics()
    {
        Assert.True(File.Exists("/usr/bin/prometheus"), "Prometheus is not installed: ./test.sh installs Debian's prometheus package");
        await using var server = await KilnTestServer.StartAsync();
        var run = await server.Get<TrainingSession>().RunAsync(new TrainRequest(LoanData.Write(server.Directory, "train.csv", 400, 51), "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "5" }));
        var registry = server.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await server.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false)], "ana");
        for (var i = 0; i < 3; i++)
        {
            using var ok = await server.Http.PostAsync("/deployments/loan/invocations",
                new StringContent("""{"dataframe_records": [{"income": 0.4, "debt": 0.2, "region": "north"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var bad = await server.Http.PostAsync("/deployments/loan/invocations", new StringContent("""{"dataframe_records": [{"income": 0.4}]}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        var text = await server.Http.GetStringAsync("/metrics");
        Assert.Contains("kiln_serving_requests_total{deployment=\"loan\",route=\"champion\",version=\"1\",status=\"200\"} 3", text);
        Assert.Contains("kiln_serving_requests_total{deployment=\"loan\",route=\"champion\",version=\"1\",status=\"400\"} 1", text);
        Assert.Contains("kiln_serving_request_duration_seconds_count{deployment=\"loan\",route=\"champion\"} 4", text);
        Assert.Contains("kiln_serving_prediction_count{deployment=\"loan\",route=\"champion\"} 3", text);
        Assert.Contains("kiln_prediction_log_dropped_rows_total 0", text); // the log kept every row
        Assert.Matches(@"kiln_prediction_log_queued_rows [0-3]\b", text);

        using var dir = new TempDirectory("kiln-prometheus-");
        var port = FreePort();
        var config = Path.Combine(dir.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: kiln
                static_configs:
                  - targets: ["{server.BaseUri.Authority}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("/usr/bin/prometheus",
            ["--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir.Path, "data"), $"--web.listen-address=127.0.0.1:{port}"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        })!;
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            double? value = null;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (value is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                try
                {
                    using var doc = JsonDocument.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString("kiln_serving_requests_total{status=\"200\"}")));
                    var result = doc.RootElement.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() > 0)
                    {
                        value = double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        Assert.Equal("loan", result[0].GetProperty("metric").GetProperty("deployment").GetString());
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting
                }
            }
            Assert.Equal(3, value);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
