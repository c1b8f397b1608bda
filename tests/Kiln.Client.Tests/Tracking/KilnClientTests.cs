using Kiln.Core.Errors;
using Kiln.Core.Tracking;
using Kiln.Server.Tests;

namespace Kiln.Client.Tests.Tracking;

/// <summary>The SDK against a real Kiln server on loopback.</summary>
public sealed class KilnClientTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;
    private KilnClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        _client = new KilnClient(_server.BaseUri);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Experiments_round_trip()
    {
        var id = await _client.CreateExperimentAsync("sdk", tags: new Dictionary<string, string> { ["team"] = "risk" });
        Assert.Equal(id, await _client.GetOrCreateExperimentAsync("sdk"));
        var experiment = await _client.GetExperimentAsync(id);
        Assert.Equal("sdk", experiment.Name);
        Assert.Equal("risk", experiment.Tags.Single().Value);
        Assert.Null(await _client.GetExperimentByNameAsync("absent"));
        await _client.RenameExperimentAsync(id, "sdk2");
        await _client.SetExperimentTagAsync(id, "k", "v");
        var found = await _client.SearchExperimentsAsync("name = 'sdk2'");
        Assert.Equal(id, found.Items.Single().ExperimentId);
        await _client.DeleteExperimentAsync(id);
        Assert.Empty((await _client.SearchExperimentsAsync("name = 'sdk2'")).Items);
        await _client.RestoreExperimentAsync(id);
        Assert.Single((await _client.SearchExperimentsAsync("name = 'sdk2'")).Items);
    }

    [Fact]
    public async Task Runs_log_search_and_history()
    {
        var run = await _client.CreateRunAsync("0", "direct");
        await _client.LogParamAsync(run.Info.RunId, "learner", "gbdt");
        await _client.LogMetricAsync(run.Info.RunId, "auc", 0.91, step: 3);
        await _client.LogMetricAsync(run.Info.RunId, "odd", double.NaN);
        await _client.SetTagAsync(run.Info.RunId, "stage", "dev");
        await _client.LogBatchAsync(run.Info.RunId, [new Metric("loss", 0.2, 1, 0), new Metric("loss", 0.1, 2, 1)], [new Param("depth", "6")], [new Tag("t", "x")]);
        await _client.DeleteTagAsync(run.Info.RunId, "t");
        await _client.LogInputsAsync(run.Info.RunId, [new DatasetInput(new Dataset("applicants", "abc", "local", "a.csv", null, null), [new Tag("mlflow.data.context", "training")])]);
        var info = await _client.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, 99);
        Assert.Equal(RunStatus.Finished, info.Status);

        var stored = await _client.GetRunAsync(run.Info.RunId);
        Assert.Equal(0.91, stored.Data.Metrics.Single(m => m.Key == "auc").Value);
        Assert.True(double.IsNaN(stored.Data.Metrics.Single(m => m.Key == "odd").Value));
        Assert.Equal(["depth", "learner"], stored.Data.Params.Select(p => p.Key));
        Assert.DoesNotContain(stored.Data.Tags, t => t.Key == "t");
        Assert.Equal("applicants", stored.Inputs.Single().Dataset.Name);

        var search = await _client.SearchRunsAsync(["0"], "params.learner = 'gbdt' AND metrics.auc > 0.9");
        Assert.Equal(run.Info.RunId, search.Items.Single().Info.RunId);
        var history = await _client.GetMetricHistoryAsync(run.Info.RunId, "loss");
        Assert.Equal([0.2, 0.1], history.Items.Select(m => m.Value));
    }

    [Fact]
    public async Task Server_errors_surface_as_kiln_exceptions_with_codes()
    {
        var e = await Assert.ThrowsAsync<KilnException>(() => _client.GetRunAsync("missing"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, e.Code);
        e = await Assert.ThrowsAsync<KilnException>(() => _client.SearchRunsAsync(["0"], "metrics.x ~ 1"));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains("'~'", e.Message);
    }

    [Fact]
    public async Task Artifacts_upload_list_and_download()
    {
        var run = await _client.CreateRunAsync("0");
        var file = Path.Combine(_server.Directory, "report.txt");
        await File.WriteAllTextAsync(file, "all good");
        await _client.LogArtifactAsync(run.Info.RunId, file, "reports");
        var listed = await _client.ListArtifactsAsync(run.Info.RunId, "reports");
        Assert.Equal("reports/report.txt", listed.Single().Path);
        await using var stream = await _client.DownloadArtifactAsync(run.Info.RunId, "reports/report.txt");
        Assert.Equal("all good", await new StreamReader(stream).ReadToEndAsync());
        var missing = await Assert.ThrowsAsync<KilnException>(() => _client.DownloadArtifactAsync(run.Info.RunId, "nope.txt"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
    }
}
