using Kiln.Core.Serving;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln deploy</c>: a deployment's replicas as <c>show</c> prints them.</summary>
public sealed class DeployCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Show_prints_each_replica_with_the_version_it_serves_and_the_routes_live_traffic()
    {
        var (exit, _, err) = await _cli.RunAsync("deploy", "create", "loan", "--route", "champion=models:/loan@champion:90", "--route", "canary=models:/loan/3:10");
        Assert.True(exit == 0, err);
        (exit, var output, err) = await _cli.RunAsync("deploy", "show", "loan");
        Assert.True(exit == 0, err);
        Assert.Contains("No replica has reported yet: serve it with kiln server, or kiln serve --deployment loan.", output);

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var traffic = new RouteTraffic(40, 2, 120, [.. Enumerable.Range(0, RouteTraffic.BoundsMs.Count + 1).Select(i => i == 4 ? 40L : 0L)]);
        await using (var kiln = await _cli.OpenHostAsync())
        {
            await kiln.Get<IReplicaStore>().UpsertAsync([
                new ReplicaStatus("loan", "pod-a:8080/7", "pod-a", now - 60_000, now - 1_000, 20,
                    [new("champion", "models:/loan@champion", "loan", 2, now - 50_000, null, traffic, traffic), new("canary", "models:/loan/3", null, null, null, null, RouteTraffic.None, RouteTraffic.None)]),
                new ReplicaStatus("loan", "pod-b:8080/9", "pod-b", now - 600_000, now - 300_000, 30,
                    [new("champion", "models:/loan@champion", "loan", 1, now - 590_000, null, traffic, traffic), new("canary", "models:/loan/3", null, null, null, "no such version", RouteTraffic.None, RouteTraffic.None)]),
            ]);
        }
        (exit, output, err) = await _cli.RunAsync("deploy", "show", "loan");
        Assert.True(exit == 0, err);
        Assert.Contains("across 1 live replica(s)", output);
        // 40 requests in 20 s from the live replica, 2 errors, latencies in (2, 4] ms; totals count the stale replica too
        Assert.Matches(@"\| champion \|\s+2 \|\s+2 \|\s+3 \|\s+3\.9 \|\s+80 \|\s+4 \|", output);
        Assert.Contains("pod-a:8080/7 | live", output);
        Assert.Contains("champion: loan v2; canary: not loaded yet", output);
        Assert.Contains("pod-b:8080/9 | stale", output);
        Assert.Contains("canary: not loaded yet (load failed: no such version)", output);
    }

    [Fact]
    public async Task Export_writes_a_dockerfile_or_kubernetes_manifests_for_a_stored_deployment_and_refuses_a_missing_one()
    {
        var (exit, _, err) = await _cli.RunAsync("deploy", "export", "loan", "--format", "kubernetes");
        Assert.NotEqual(0, exit);
        Assert.Contains("No deployment named 'loan'", err);
        (exit, _, err) = await _cli.RunAsync("deploy", "create", "loan", "--route", "champion=models:/loan@champion");
        Assert.True(exit == 0, err);

        var folder = Path.Combine(_cli.Home, "export");
        (exit, var output, err) = await _cli.RunAsync("deploy", "export", "loan", "--format", "docker", "--out", folder);
        Assert.True(exit == 0, err);
        Assert.Contains("docker build -t kiln-serve-loan:latest", output);
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(folder, "Dockerfile"));
        Assert.Contains("""ENTRYPOINT ["dotnet", "/opt/kiln/kiln.dll", "serve", "--deployment", "loan", "--host", "0.0.0.0", "--port", "8080"]""", dockerfile);
        Assert.True(File.Exists(Path.Combine(folder, ".dockerignore")));

        (exit, output, err) = await _cli.RunAsync("deploy", "export", "loan", "-f", "kubernetes", "--image", "registry.local/loan:1");
        Assert.True(exit == 0, err);
        Assert.Contains("kind: HorizontalPodAutoscaler", output);
        Assert.Contains("image: \"registry.local/loan:1\"", output);
        Assert.Contains($"KILN_STORE: \"{_cli.Store}\"", output); // the store this command used
        (exit, _, err) = await _cli.RunAsync("deploy", "export", "loan", "-f", "helm");
        Assert.NotEqual(0, exit);
        Assert.Contains("helm", err);
    }
}
