using Kiln.Engine.Hosting;
using Kiln.Engine.Training;

namespace Kiln.Engine.Tests.Training;

public sealed class HyperparameterSearchTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-tune-").FullName;
    private KilnContext _kiln = null!;

    public async Task InitializeAsync() => _kiln = await KilnContext.OpenAsync(KilnSettings.Resolve(home: _dir));

    public async Task DisposeAsync()
    {
        await _kiln.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Grid_search_nests_trials_under_a_parent_and_marks_the_best()
    {
        var train = SyntheticData.Write(_dir, "train.csv", 1500, 3);
        var request = new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "15" }, null, "tuning");
        var result = await new HyperparameterSearch(_kiln).RunAsync(request, SearchSpace.Parse(["max_depth=1,3", "learning_rate=0.05,0.3"]), "grid", 0, null);

        Assert.Equal(4, result.Trials.Count);
        Assert.Equal("valid_roc_auc", result.Metric);
        Assert.False(result.Minimize);
        Assert.Equal(result.Trials.Max(t => t.Score), result.Best.Score);
        foreach (var trial in result.Trials)
        {
            var run = await _kiln.Tracking.GetRunAsync(trial.RunId);
            Assert.Contains(run.Data.Tags, t => t.Key == "mlflow.parentRunId" && t.Value == result.ParentRunId);
            Assert.Equal(trial.RunId == result.Best.RunId, run.Data.Tags.Any(t => t.Key == "kiln.tune.best"));
        }
        var parent = await _kiln.Tracking.GetRunAsync(result.ParentRunId);
        Assert.Equal(result.Best.Score, parent.Data.Metrics.Single(m => m.Key == "best_valid_roc_auc").Value);
        Assert.Equal(result.Best.RunId, parent.Data.Tags.Single(t => t.Key == "kiln.tune.best_run_id").Value);
    }
}
