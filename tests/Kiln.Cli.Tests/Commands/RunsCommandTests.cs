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

    [Fact]
    public async Task Columns_and_output_formats_serve_scripts()
    {
        var (a, _) = await SeedAsync();
        var (exit, output, err) = await _cli.RunAsync("runs", "list", "--columns", "metrics.auc,params.learner", "--output", "csv", "--order-by", "metrics.auc DESC");
        Assert.True(exit == 0, err);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("run_id,run_name,status,start_time,metrics.auc,params.learner", lines[0]);
        Assert.StartsWith($"{a},gbdt-run,RUNNING,", lines[1]);
        Assert.EndsWith(",0.87,gbdt", lines[1]);
        Assert.Equal(3, lines.Length);

        (exit, output, err) = await _cli.RunAsync("runs", "list", "--columns", "metrics.auc", "--output", "json");
        Assert.True(exit == 0, err);
        var runs = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, runs.GetArrayLength());
        Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("metrics.auc").GetDouble() == 0.87);

        (exit, output, _) = await _cli.RunAsync("runs", "show", a, "--output", "json");
        Assert.Equal(0, exit);
        var run = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal(a, run.GetProperty("info").GetProperty("run_id").GetString());
        Assert.Equal("6", run.GetProperty("data").GetProperty("params").EnumerateArray().Single(p => p.GetProperty("key").GetString() == "depth").GetProperty("value").GetString());

        (exit, output, _) = await _cli.RunAsync("runs", "show", a, "--output", "csv");
        Assert.Equal(0, exit);
        Assert.Contains("params,learner,gbdt", output);
        Assert.Contains("metrics,auc,0.87", output);

        (exit, output, _) = await _cli.RunAsync("experiments", "list", "--output", "json");
        Assert.Equal(0, exit);
        Assert.Equal("Default", System.Text.Json.JsonDocument.Parse(output).RootElement[0].GetProperty("name").GetString());

        (exit, _, err) = await _cli.RunAsync("runs", "list", "--columns", "auc");
        Assert.Equal(1, exit);
        Assert.Contains("metrics.KEY", err);
    }
}
