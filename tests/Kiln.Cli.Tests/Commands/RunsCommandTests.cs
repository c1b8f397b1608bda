using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Cli.Tests.Commands;

public sealed class RunsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<(string A, string B)> SeedAsync()
    {
        await using var kiln = await _cli.OpenHostAsync();
        var a = await kiln.Get<TrackingService>().CreateRunAsync("0", "u", "gbdt-run", null, []);
        await kiln.Get<TrackingService>().LogBatchAsync(a.Info.RunId, [new Metric("auc", 0.87, 1, 0)], [new Param("learner", "gbdt"), new Param("depth", "6")], []);
        var b = await kiln.Get<TrackingService>().CreateRunAsync("0", "u", "forest-run", null, []);
        await kiln.Get<TrackingService>().LogBatchAsync(b.Info.RunId, [new Metric("auc", 0.80, 1, 0)], [new Param("learner", "forest"), new Param("depth", "6")], []);
        return (a.Info.RunId, b.Info.RunId);
    }

    [Fact]
    public async Task List_filters_and_shows_latest_metrics()
    {
        await SeedAsync();
        var (exit, output, _) = await _cli.RunAsync("runs", "list", "--filter", "metrics.auc > 0.85");
        Assert.Equal(0, exit);
        Assert.Contains("gbdt-run", output);
        Assert.Contains("0.87", output);
        Assert.DoesNotContain("forest-run", output);
        (exit, _, var err) = await _cli.RunAsync("runs", "list", "--filter", "metrics.auc >> 1");
        Assert.Equal(1, exit);
        Assert.Contains("'>'", err);
    }

    [Fact]
    public async Task Show_and_compare_put_params_and_metrics_side_by_side()
    {
        var (a, b) = await SeedAsync();
        var (exit, output, _) = await _cli.RunAsync("runs", "show", a);
        Assert.Equal(0, exit);
        Assert.Contains("learner", output);
        Assert.Contains("gbdt", output);
        (exit, output, _) = await _cli.RunAsync("runs", "compare", a, b);
        Assert.Equal(0, exit);
        var learnerLine = output.Split('\n').Single(l => l.Contains("param learner"));
        Assert.Contains("gbdt", learnerLine);
        Assert.Contains("forest", learnerLine);
        Assert.Contains("0.87", output.Split('\n').Single(l => l.Contains("metric auc")));
        (exit, _, var err) = await _cli.RunAsync("runs", "show", "0000");
        Assert.Equal(3, exit);
        Assert.Contains("0000", err);
    }
}
