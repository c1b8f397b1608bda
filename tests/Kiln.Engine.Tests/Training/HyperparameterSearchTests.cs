using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Training;

public sealed class HyperparameterSearchTests : KilnHostTest
{
    [Fact]
    public async Task Grid_search_nests_trials_under_a_parent_and_marks_the_best()
    {
        var train = LoanData.Write(Dir, "train.csv", 1500, 3);
        var request = new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "15" }, null, "tuning");
        var result = await Host.Get<HyperparameterSearch>().RunAsync(request, SearchSpace.Parse(["max_depth=1,3", "learning_rate=0.05,0.3"]), "grid", 0, null);

        Assert.Equal(4, result.Trials.Count);
        Assert.Equal("valid_roc_auc", result.Metric);
        Assert.False(result.Minimize);
        Assert.Equal(result.Trials.Max(t => t.Score), result.Best.Score);
        foreach (var trial in result.Trials)
        {
            var run = await Tracking.GetRunAsync(trial.RunId);
            Assert.Contains(run.Data.Tags, t => t.Key == "mlflow.parentRunId" && t.Value == result.ParentRunId);
            Assert.Equal(trial.RunId == result.Best.RunId, run.Data.Tags.Any(t => t.Key == "kiln.tune.best"));
        }
        var parent = await Tracking.GetRunAsync(result.ParentRunId);
        Assert.Equal(result.Best.Score, parent.Data.Metrics.Single(m => m.Key == "best_valid_roc_auc").Value);
        Assert.Equal(result.Best.RunId, parent.Data.Tags.Single(t => t.Key == "kiln.tune.best_run_id").Value);
    }

    [Fact]
    public async Task Successive_halving_gives_the_best_third_three_times_the_budget()
    {
        var train = LoanData.Write(Dir, "train.csv", 1200, 4);
        var request = new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "9" }, null, "halving");
        var result = await Host.Get<HyperparameterSearch>().RunAsync(request, SearchSpace.Parse(["max_depth=1:4", "learning_rate=0.05:0.3"]), "halving", 6, null);

        Assert.Equal(8, result.Trials.Count);
        Assert.All(result.Trials.Take(6), t => Assert.Equal("3", t.Params["rounds"]));
        Assert.All(result.Trials.Skip(6), t => Assert.Equal("9", t.Params["rounds"]));
        var firstRung = result.Trials.Take(6).OrderByDescending(t => t.Score).Take(2).Select(t => (t.Params["max_depth"], t.Params["learning_rate"]));
        Assert.Equal(firstRung.Order(), result.Trials.Skip(6).Select(t => (t.Params["max_depth"], t.Params["learning_rate"])).Order());
        Assert.Contains(result.Best, result.Trials.Skip(6));
        var forLinear = request with { Learner = "logistic" };
        await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => Host.Get<HyperparameterSearch>().RunAsync(forLinear, SearchSpace.Parse(["lambda=0.001:0.1"]), "halving", 3, null));
    }

    [Fact]
    public async Task Halving_respects_budget_values_the_space_gives()
    {
        var train = LoanData.Write(Dir, "train.csv", 900, 5);
        var request = new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string>(), null, "halving-budget");
        var result = await Host.Get<HyperparameterSearch>().RunAsync(request, SearchSpace.Parse(["rounds=12,30,60"]), "halving", 3, null);
        var finals = result.Trials.TakeLast(1).ToList();
        Assert.Contains(finals[0].Params["rounds"], new[] { "12", "30", "60" });
        // The first rung ran every candidate on a third of its own budget.
        Assert.Equal(["10", "20", "4"], result.Trials.Take(3).Select(t => t.Params["rounds"]).Order(StringComparer.Ordinal));
    }
}
