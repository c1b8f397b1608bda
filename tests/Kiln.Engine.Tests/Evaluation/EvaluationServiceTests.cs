using Kiln.Core.Errors;
using Kiln.Engine.Evaluation;
using Kiln.Engine.Registry;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Evaluation;

public sealed class EvaluationServiceTests : KilnHostTest
{
    [Fact]
    public async Task A_registered_version_is_evaluated_by_slice_and_the_run_links_model_and_data()
    {
        var train = LoanData.Write(Dir, "train.csv", 1200, 21);
        var holdout = LoanData.Write(Dir, "holdout.csv", 900, 22);
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "15" }));
        var registry = Host.Get<RegistryService>();
        await registry.CreateModelAsync("loans", null, []);
        await registry.CreateVersionAsync("loans", $"runs:/{run.RunId}/model", null, null, null, [], "ana");

        var result = await Host.Get<EvaluationService>().EvaluateAsync(new EvaluationRequest("models:/loans/1", holdout, null, ["region", "income"]));
        Assert.Equal(900, result.Rows);
        Assert.InRange(result.Metrics["roc_auc"], 0.6, 1.0);
        foreach (var metric in new[] { "accuracy", "precision", "recall", "f1", "pr_auc", "log_loss", "brier_score" })
        {
            Assert.True(result.Metrics.ContainsKey(metric), metric);
        }
        var regions = result.Slices.Where(s => s.Column == "region").ToList();
        Assert.Equal(900, regions.Sum(s => s.Rows));
        Assert.Equal(4, result.Slices.Count(s => s.Column == "income" && s.Value != "(missing)")); // quartiles, and the rows without income apart
        // the gap is the largest difference between two slices of one column, over the columns
        var gaps = result.Slices.Where(s => s.Metrics.ContainsKey("recall")).GroupBy(s => s.Column).Select(g => g.Max(s => s.Metrics["recall"]) - g.Min(s => s.Metrics["recall"]));
        Assert.Equal(gaps.Max(), result.SliceGaps["recall"], 9);

        var recorded = await Tracking.GetRunAsync(result.RunId);
        var tags = recorded.Data.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(("loans", "1", run.RunId), (tags[EvaluationService.ModelNameTag], tags[EvaluationService.ModelVersionTag], tags["kiln.model.source_run"]));
        Assert.Equal("evaluation", Assert.Single(recorded.Inputs).Tags.Single(t => t.Key == "mlflow.data.context").Value);
        Assert.Contains(recorded.Data.Metrics, m => m.Key == "slice_gap/recall");
        var (_, files) = await Tracking.ListRunArtifactsAsync(result.RunId, "charts");
        Assert.Equal(["charts/calibration.svg", "charts/confusion_matrix.svg", "charts/pr_curve.svg", "charts/roc_curve.svg"], files.Select(f => f.Path).Order());
        Assert.Contains("<h2>Slices</h2>", result.Report);
    }

    [Fact]
    public async Task Data_missing_a_column_the_model_needs_is_refused_before_any_run_exists()
    {
        var train = LoanData.Write(Dir, "train.csv", 300, 23);
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "3" }));
        var partial = Path.Combine(Dir, "partial.csv");
        await File.WriteAllTextAsync(partial, "income,region,approved\n0.5,north,1\n");
        var before = (await Tracking.SearchRunsAsync(["0"], null, Core.Tracking.ViewType.All, 1000, null, null)).Items.Count;
        var e = await Assert.ThrowsAsync<KilnException>(() => Host.Get<EvaluationService>().EvaluateAsync(new EvaluationRequest($"runs:/{run.RunId}/model", partial, null, ["segment"])));
        Assert.Contains("'debt' (a feature the model's signature needs)", e.Message);
        Assert.Contains("'segment' (a --slice column)", e.Message);
        Assert.Equal(before, (await Tracking.SearchRunsAsync(["0"], null, Core.Tracking.ViewType.All, 1000, null, null)).Items.Count);
    }

    [Fact]
    public async Task A_weight_column_weighs_the_overall_metrics()
    {
        var train = LoanData.Write(Dir, "train.csv", 800, 24);
        var holdout = LoanData.Write(Dir, "holdout.csv", 600, 25);
        var lines = await File.ReadAllLinesAsync(holdout);
        // the rows the model gets wrong weigh 10: weighted accuracy must be lower than unweighted
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "10" }));
        var table = Kiln.Tabular.Csv.CsvReader.ReadFile(holdout);
        var probabilities = run.Model.Predict(table);
        var weighted = new System.Text.StringBuilder(lines[0] + ",w\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var label = lines[i].Split(',')[^1];
            var wrong = (probabilities[i - 1] >= 0.5 ? "1" : "0") != label;
            weighted.Append(lines[i]).Append(wrong ? ",10\n" : ",1\n");
        }
        var path = Path.Combine(Dir, "weighted.csv");
        await File.WriteAllTextAsync(path, weighted.ToString());
        var service = Host.Get<EvaluationService>();
        var plain = await service.EvaluateAsync(new EvaluationRequest($"runs:/{run.RunId}/model", path, null, []));
        var heavy = await service.EvaluateAsync(new EvaluationRequest($"runs:/{run.RunId}/model", path, null, [], Weight: "w"));
        Assert.True(heavy.Metrics["accuracy"] < plain.Metrics["accuracy"] - 0.05, $"{heavy.Metrics["accuracy"]} vs {plain.Metrics["accuracy"]}");
        Assert.True(heavy.Metrics["weight_sum"] > 600);
        var missing = await Assert.ThrowsAsync<KilnException>(() => service.EvaluateAsync(new EvaluationRequest($"runs:/{run.RunId}/model", holdout, null, [], Weight: "w")));
        Assert.Contains("the --weight column", missing.Message);
    }
}
