using Kiln.Core.Errors;
using Kiln.Core.Tracking;
using Kiln.Testing;

namespace Kiln.Client.Tests.Tracking;

/// <summary>The background batching logger: LogMetric returns at once; flush and dispose deliver or throw.</summary>
public sealed class ActiveRunTests : ClientTestBase
{
    [Fact]
    public async Task Every_point_logged_in_a_loop_is_delivered_by_dispose()
    {
        string runId;
        await using (var run = await Client.StartRunAsync("0", "loop"))
        {
            runId = run.RunId;
            run.LogParam("learner", "gbdt");
            for (var step = 0; step < 5000; step++)
            {
                run.LogMetric("train_loss", 1.0 / (step + 1), step);
                run.LogMetric("valid_loss", 2.0 / (step + 1), step);
            }
            run.SetTag("note", "done");
        }
        var stored = await Client.GetRunAsync(runId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.NotNull(stored.Info.EndTime);
        Assert.Equal("gbdt", stored.Data.Params.Single().Value);
        Assert.Equal(4999, stored.Data.Metrics.Single(m => m.Key == "train_loss").Step);
        var history = await Client.GetMetricHistoryAsync(runId, "valid_loss", maxResults: 25_000);
        Assert.Equal(5000, history.Items.Count);
    }

    [Fact]
    public async Task Flush_makes_points_visible_and_reports_rejections()
    {
        var run = await Client.StartRunAsync("0");
        run.LogParam("lr", "0.1");
        run.LogMetric("m", 1);
        await run.FlushAsync();
        Assert.Single((await Client.GetRunAsync(run.RunId)).Data.Metrics);

        run.LogParam("lr", "0.2");
        var e = await Assert.ThrowsAsync<KilnException>(() => run.FlushAsync());
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains("lr", e.Message);

        run.LogMetric("m", 2, step: 1);
        await run.FlushAsync();
        await run.EndAsync(RunStatus.Killed);
        Assert.Equal(RunStatus.Killed, (await Client.GetRunAsync(run.RunId)).Info.Status);
        Assert.Throws<InvalidOperationException>(() => run.LogMetric("late", 1));
        await run.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_throws_when_theServer_is_gone()
    {
        var run = await Client.StartRunAsync("0");
        await Server.DisposeAsync();
        run.LogMetric("lost", 1);
        await Assert.ThrowsAnyAsync<Exception>(async () => await run.DisposeAsync());
        Server = await KilnTestServer.StartAsync();
    }
}
