using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Client.Tests.Tracking;

/// <summary>The SDK against a real Kiln server on loopback.</summary>
public sealed class KilnClientTests : ClientTestBase
{
    [Fact]
    public async Task Experiments_round_trip()
    {
        var id = await Client.CreateExperimentAsync("sdk", tags: new Dictionary<string, string> { ["team"] = "risk" });
        Assert.Equal(id, await Client.GetOrCreateExperimentAsync("sdk"));
        var experiment = await Client.GetExperimentAsync(id);
        Assert.Equal("sdk", experiment.Name);
        Assert.Equal("risk", experiment.Tags.Single().Value);
        Assert.Null(await Client.GetExperimentByNameAsync("absent"));
        await Client.RenameExperimentAsync(id, "sdk2");
        await Client.SetExperimentTagAsync(id, "k", "v");
        var found = await Client.SearchExperimentsAsync("name = 'sdk2'");
        Assert.Equal(id, found.Items.Single().ExperimentId);
        await Client.DeleteExperimentAsync(id);
        Assert.Empty((await Client.SearchExperimentsAsync("name = 'sdk2'")).Items);
        await Client.RestoreExperimentAsync(id);
        Assert.Single((await Client.SearchExperimentsAsync("name = 'sdk2'")).Items);
    }

    [Fact]
    public async Task Runs_log_search_and_history()
    {
        var run = await Client.CreateRunAsync("0", "direct");
        await Client.LogParamAsync(run.Info.RunId, "learner", "gbdt");
        await Client.LogMetricAsync(run.Info.RunId, "auc", 0.91, step: 3);
        await Client.LogMetricAsync(run.Info.RunId, "odd", double.NaN);
        await Client.SetTagAsync(run.Info.RunId, "stage", "dev");
        await Client.LogBatchAsync(run.Info.RunId, [new Metric("loss", 0.2, 1, 0), new Metric("loss", 0.1, 2, 1)], [new Param("depth", "6")], [new Tag("t", "x")]);
        await Client.DeleteTagAsync(run.Info.RunId, "t");
        await Client.LogInputsAsync(run.Info.RunId, [new DatasetInput(new Dataset("applicants", "abc", "local", "a.csv", null, null), [new Tag("mlflow.data.context", "training")])]);
        var info = await Client.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, 99);
        Assert.Equal(RunStatus.Finished, info.Status);

        var stored = await Client.GetRunAsync(run.Info.RunId);
        Assert.Equal(0.91, stored.Data.Metrics.Single(m => m.Key == "auc").Value);
        Assert.True(double.IsNaN(stored.Data.Metrics.Single(m => m.Key == "odd").Value));
        Assert.Equal(["depth", "learner"], stored.Data.Params.Select(p => p.Key));
        Assert.DoesNotContain(stored.Data.Tags, t => t.Key == "t");
        Assert.Equal("applicants", stored.Inputs.Single().Dataset.Name);

        var search = await Client.SearchRunsAsync(["0"], "params.learner = 'gbdt' AND metrics.auc > 0.9");
        Assert.Equal(run.Info.RunId, search.Items.Single().Info.RunId);
        var history = await Client.GetMetricHistoryAsync(run.Info.RunId, "loss");
        Assert.Equal([0.2, 0.1], history.Items.Select(m => m.Value));
    }

    [Fact]
    public async Task Server_errors_surface_as_kiln_exceptions_with_codes()
    {
        var e = await Assert.ThrowsAsync<KilnException>(() => Client.GetRunAsync("missing"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, e.Code);
        e = await Assert.ThrowsAsync<KilnException>(() => Client.SearchRunsAsync(["0"], "metrics.x ~ 1"));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains("'~'", e.Message);
    }

    [Fact]
    public async Task Artifacts_upload_list_and_download()
    {
        var run = await Client.CreateRunAsync("0");
        var file = Path.Combine(Server.Directory, "report.txt");
        await File.WriteAllTextAsync(file, "all good");
        await Client.LogArtifactAsync(run.Info.RunId, file, "reports");
        var listed = await Client.ListArtifactsAsync(run.Info.RunId, "reports");
        Assert.Equal("reports/report.txt", listed.Single().Path);
        await using var stream = await Client.DownloadArtifactAsync(run.Info.RunId, "reports/report.txt");
        Assert.Equal("all good", await new StreamReader(stream).ReadToEndAsync());
        var missing = await Assert.ThrowsAsync<KilnException>(() => Client.DownloadArtifactAsync(run.Info.RunId, "nope.txt"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
    }
}
