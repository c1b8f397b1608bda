using System.Diagnostics;
using System.Text;
using Kiln.Engine.Tracking;

namespace Kiln.Cli.Tests.Commands;

/// <summary>The real <c>kiln server</c> process: it answers, stops cleanly on SIGTERM, and loses no acknowledged write when killed.</summary>
public sealed class ServerCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<(Process Process, Uri Uri)> StartServerAsync(params string[] extra)
    {
        var process = Process.Start(_cli.ProcessStart(["server", "--port", "0", .. extra]))!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("server exited: " + await process.StandardError.ReadToEndAsync());
            var at = line.IndexOf("http://", StringComparison.Ordinal);
            if (line.Contains("listening on", StringComparison.Ordinal) && at >= 0)
            {
                return (process, new Uri(line[at..].Trim() + "/"));
            }
        }
        throw new TimeoutException("kiln server did not report its address");
    }

    [Fact]
    public async Task A_file_default_artifact_root_puts_experiments_there_and_the_server_serves_what_clients_write()
    {
        var root = Path.Combine(_cli.Home, "shared-artifacts");
        var (process, uri) = await StartServerAsync("--default-artifact-root", new Uri(root + "/").AbsoluteUri);
        try
        {
            using var http = new HttpClient { BaseAddress = uri };
            using var created = await http.PostAsync("api/2.0/mlflow/experiments/create", new StringContent("""{"name": "shared"}"""));
            var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("experiment_id").GetString();
            using var run = await http.PostAsync("api/2.0/mlflow/runs/create", new StringContent($$"""{"experiment_id": "{{id}}"}"""));
            var info = System.Text.Json.JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("run").GetProperty("info");
            var artifactUri = info.GetProperty("artifact_uri").GetString()!;
            Assert.StartsWith(new Uri(root + "/").AbsoluteUri + id + "/", artifactUri);
            // an MLflow client with a file: artifact URI writes the file itself; the server serves it
            var local = new Uri(artifactUri).LocalPath;
            Directory.CreateDirectory(local);
            await File.WriteAllTextAsync(Path.Combine(local, "note.txt"), "written by the client");
            Assert.Equal("written by the client", await http.GetStringAsync($"get-artifact?run_id={info.GetProperty("run_id").GetString()}&path=note.txt"));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        var (exit, _, err) = await _cli.RunAsync("server", "--port", "0", "--default-artifact-root", "s3://bucket/path");
        Assert.Equal(1, exit);
        Assert.Contains("--default-artifact-root 's3://bucket/path' is not supported", err);
    }

    [Fact]
    public async Task Sigterm_stops_the_server_with_exit_code_zero()
    {
        var (process, uri) = await StartServerAsync();
        using var http = new HttpClient { BaseAddress = uri };
        Assert.Equal("OK", await http.GetStringAsync("health"));
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task An_acknowledged_write_survives_killing_the_server()
    {
        var (process, uri) = await StartServerAsync();
        using var http = new HttpClient { BaseAddress = uri };
        using var create = await http.PostAsync("api/2.0/mlflow/runs/create", new StringContent("{\"experiment_id\":\"0\",\"run_name\":\"survivor\"}", Encoding.UTF8, "application/json"));
        var runId = System.Text.Json.JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        using var log = await http.PostAsync("api/2.0/mlflow/runs/log-metric",
            new StringContent($"{{\"run_id\":\"{runId}\",\"key\":\"auc\",\"value\":0.93,\"timestamp\":1,\"step\":7}}", Encoding.UTF8, "application/json"));
        Assert.True(log.IsSuccessStatusCode);
        process.Kill();
        await process.WaitForExitAsync();

        await using var kiln = await _cli.OpenHostAsync();
        var run = await kiln.Get<TrackingService>().GetRunAsync(runId);
        Assert.Equal("survivor", run.Info.RunName);
        Assert.Equal(0.93, run.Data.Metrics.Single().Value);
    }

    [Fact]
    public async Task A_busy_port_is_a_clear_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var (exit, _, err) = await _cli.RunAsync("server", "--port", port.ToString());
        Assert.Equal(1, exit);
        Assert.Contains("--port", err);
    }

    [Theory]
    [InlineData("0.0.0.0.0", "5000", "--host")]
    [InlineData("1", "5000", "--host")]
    [InlineData("example!", "5000", "--host")]
    [InlineData("127.0.0.1", "70000", "--port")]
    public async Task An_invalid_host_or_port_is_one_clear_line(string host, string port, string named)
    {
        var (exit, _, err) = await _cli.RunAsync("server", "--host", host, "--port", port);
        Assert.Equal(1, exit);
        Assert.Contains(named, err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_store_that_is_not_a_database_is_a_clear_error_naming_it()
    {
        // The harness's store file, overwritten with something that is not SQLite.
        await File.WriteAllTextAsync(Path.Combine(_cli.Home, "kiln.db"), new string('x', 5000));
        var (exit, _, err) = await _cli.RunAsync("experiments", "list");
        Assert.Equal(1, exit);
        Assert.Contains("kiln.db", err);
        Assert.Contains("--store", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }
}
