using Kiln.Core.Tracking;
using Kiln.Engine.Packaging;
using Kiln.Engine.Scoring;
using Kiln.Engine.Training;
using Kiln.Tabular.Csv;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Training;

/// <summary>A real training run on a SQLite store: everything the run should record is there, and the package reloads.</summary>
public sealed class TrainingSessionTests : KilnHostTest
{
    [Fact]
    public async Task A_gbdt_run_records_params_curves_metrics_charts_and_a_loadable_package()
    {
        var train = LoanData.Write(Dir, "train.csv", 3000, 1);
        var valid = LoanData.Write(Dir, "valid.csv", 1000, 2);
        var iterations = 0;
        var result = await Host.Get<TrainingSession>().RunAsync(
            new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "30", ["max_depth"] = "3" }, valid, "loans"),
            progress: new Counter(() => iterations++));

        Assert.Equal(30, iterations);
        Assert.True(result.Metrics["valid_roc_auc"] > 0.9, $"AUC {result.Metrics["valid_roc_auc"]}");
        var run = await Tracking.GetRunAsync(result.RunId);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Contains(run.Data.Params, p => p.Key == "max_depth" && p.Value == "3");
        Assert.Contains(run.Data.Params, p => p.Key == "learner" && p.Value == "gbdt");
        Assert.Contains(run.Data.Metrics, m => m.Key == "valid_accuracy");
        Assert.Equal(["training", "validation"], run.Inputs.Select(i => i.Tags.Single().Value).Order());
        // the package is recorded as MLflow's log_model records one, so tools listing the run's models see it
        using var models = System.Text.Json.JsonDocument.Parse(run.Data.Tags.Single(t => t.Key == "mlflow.log-model.history").Value);
        var logged = Assert.Single(models.RootElement.EnumerateArray());
        Assert.Equal("model", logged.GetProperty("artifact_path").GetString());
        Assert.Equal(result.RunId, logged.GetProperty("run_id").GetString());
        Assert.Equal("gbdt", logged.GetProperty("flavors").GetProperty("kiln").GetProperty("learner").GetString());
        Assert.False(logged.TryGetProperty("signature", out _)); // the history stays small however wide the table (the MLmodel file has it all)
        var history = await Tracking.GetMetricHistoryAsync(result.RunId, "valid_loss", null, null);
        Assert.Equal(30, history.Items.Count);
        Assert.True(history.Items[^1].Value < history.Items[0].Value);

        var (_, files) = await Tracking.ListRunArtifactsAsync(result.RunId, "charts");
        var charts = files.Select(f => f.Path).ToList();
        Assert.Contains("charts/loss_curve.svg", charts);
        Assert.Contains("charts/roc_curve.svg", charts);
        Assert.Contains("charts/confusion_matrix.svg", charts);
        Assert.Contains("charts/feature_importance.svg", charts);

        var (package, temporary) = await Host.Get<ModelLocator>().ResolveAsync($"runs:/{result.RunId}/model", default);
        Assert.True(temporary);
        Assert.Contains("kiln:", await File.ReadAllTextAsync(Path.Combine(package, "MLmodel")));
        Assert.True(File.Exists(Path.Combine(package, ModelPackage.ProfileFile)));
        var training = Kiln.Tabular.Statistics.TableProfile.FromJson(await File.ReadAllTextAsync(Path.Combine(package, ModelPackage.ProfileFile)));
        var predictions = Kiln.Tabular.Statistics.TableProfile.FromJson(await File.ReadAllTextAsync(Path.Combine(package, ModelPackage.PredictionProfileFile)));
        var column = predictions.GetColumn(ModelPackage.PredictionColumn); // the model's probabilities on its training rows: prediction drift's reference
        Assert.Equal(training.RowCount, column.Count);
        Assert.InRange(column.Numeric!.Min, 0, column.Numeric.Max);
        Assert.InRange(column.Numeric.Max, column.Numeric.Min, 1);
        var loaded = ModelPackage.Load(package);
        var table = CsvReader.ReadFile(valid);
        Assert.Equal(result.Model.Predict(table), loaded.Predict(table));
        var scored = BatchScorer.Score(new Kiln.Engine.Flavors.KilnPredictor(loaded), table);
        Assert.Contains("probability", scored.ColumnNames);
        Assert.Contains("predicted_approved", scored.ColumnNames);
        Directory.Delete(package, recursive: true);
    }

    [Theory]
    [InlineData("forest", "trees=20")]
    [InlineData("logistic", "max_iterations=100")]
    [InlineData("gbdt", "rounds=10")]
    public async Task Every_classifier_trains_a_tracked_run_whose_package_reloads(string learner, string param)
    {
        var train = LoanData.Write(Dir, "train.csv", 1500, 1);
        var valid = LoanData.Write(Dir, "valid.csv", 500, 2);
        var pair = param.Split('=');
        var result = await Host.Get<TrainingSession>().RunAsync(
            new TrainRequest(train, "approved", learner, new Dictionary<string, string> { [pair[0]] = pair[1] }, valid, "loans"));
        Assert.True(result.Metrics["valid_roc_auc"] > 0.85, $"{learner} AUC {result.Metrics["valid_roc_auc"]}");
        var (package, _) = await Host.Get<ModelLocator>().ResolveAsync($"runs:/{result.RunId}/model", default);
        var table = CsvReader.ReadFile(valid);
        Assert.Equal(result.Model.Predict(table), ModelPackage.Load(package).Predict(table));
        Directory.Delete(package, recursive: true);
    }

    [Fact]
    public async Task A_forest_without_valid_reports_out_of_bag_metrics_and_labels_its_curve_oob()
    {
        var train = LoanData.Write(Dir, "train.csv", 1200, 3);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "forest", new Dictionary<string, string> { ["trees"] = "20" }));
        Assert.InRange(result.Metrics["oob_accuracy"], 0.7, 1.0);
        Assert.True(result.Metrics["oob_accuracy"] < result.Metrics["train_accuracy"], "out-of-bag is an estimate on unseen rows, below the in-sample figure");
        Assert.Equal(20, (await Tracking.GetMetricHistoryAsync(result.RunId, "oob_loss", null, null)).Items.Count);
        Assert.DoesNotContain((await Tracking.GetRunAsync(result.RunId)).Data.Metrics, m => m.Key == "train_loss");
    }

    [Fact]
    public async Task Early_stopping_logs_the_best_iteration_and_keeps_that_many_rounds()
    {
        var train = LoanData.Write(Dir, "train.csv", 1500, 1);
        var valid = LoanData.Write(Dir, "valid.csv", 500, 2);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "400", ["learning_rate"] = "0.5", ["early_stopping_rounds"] = "5" }, valid, "stopping"));
        var best = result.Metrics["best_iteration"];
        Assert.InRange(best, 1, 399);
        Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Model.Properties["best_round"]);
    }

    [Fact]
    public async Task A_small_validation_file_is_read_with_the_training_files_column_types()
    {
        var train = LoanData.Write(Dir, "train.csv", 800, 1);
        // Three rows with two regions: on its own the region column would be inferred as text.
        var valid = Path.Combine(Dir, "small.csv");
        await File.WriteAllTextAsync(valid, "income,debt,region,approved\n0.9,0.1,north,1\n0.1,0.9,south,0\n0.8,0.2,east,1\n");
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "10" }, valid, "small-valid"));
        Assert.Contains("valid_accuracy", result.Metrics.Keys);

        await File.WriteAllTextAsync(valid, "income,debt,region,approved\n0.9,0.1,north,1\nhigh,0.9,south,0\n");
        var e = await Assert.ThrowsAsync<Kiln.Tabular.Csv.CsvFormatException>(() =>
            Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "10" }, valid, "small-valid")));
        Assert.Contains("small.csv", e.Message);
        Assert.Contains("'high'", e.Message);
    }

    [Fact]
    public async Task Linear_regression_reports_regression_metrics()
    {
        var path = Path.Combine(Dir, "prices.csv");
        var rng = new Random(5);
        var lines = new List<string> { "size,rooms,price" };
        for (var i = 0; i < 500; i++)
        {
            var size = rng.NextDouble() * 100;
            var rooms = rng.Next(1, 6);
            lines.Add(FormattableString.Invariant($"{size:F3},{rooms},{(3 * size) + (10 * rooms) + rng.NextDouble():F3}"));
        }
        await File.WriteAllLinesAsync(path, lines);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(path, "price", "linear", new Dictionary<string, string>()));
        Assert.True(result.Metrics["train_r2"] > 0.99, $"R² {result.Metrics["train_r2"]}");
        Assert.True(result.Metrics["train_rmse"] < 1, $"RMSE {result.Metrics["train_rmse"]}");
    }

    [Fact]
    public async Task Bad_input_fails_with_the_column_named_and_the_run_marked_failed()
    {
        var train = LoanData.Write(Dir, "train.csv", 200, 1);
        var missing = await Assert.ThrowsAnyAsync<Exception>(() => Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "label", "gbdt", new Dictionary<string, string>())));
        Assert.Contains("label", missing.Message);
        var unknownLearner = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "svm", new Dictionary<string, string>())));
        Assert.Contains("gbdt", unknownLearner.Message);
    }

    [Fact]
    public async Task A_failure_inside_the_run_marks_it_failed_with_the_error_recorded()
    {
        // An all-missing feature is found by the learner, inside the run.
        var rows = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"{i % 7},,{i % 2}"));
        var path = Path.Combine(Dir, "empty.csv");
        await File.WriteAllTextAsync(path, "x,notes,label\n" + rows + "\n");
        var e = await Assert.ThrowsAsync<Kiln.Learn.LearnException>(() =>
            Host.Get<TrainingSession>().RunAsync(new TrainRequest(path, "label", "gbdt", new Dictionary<string, string>(), Experiment: "failing")));
        Assert.Contains("'notes'", e.Message);
        var experiment = await Tracking.GetExperimentByNameAsync("failing");
        var run = (await Tracking.SearchRunsAsync([experiment.ExperimentId], null, ViewType.ActiveOnly, 10, null, null)).Items.Single();
        Assert.Equal(RunStatus.Failed, run.Info.Status);
        Assert.NotNull(run.Info.EndTime);
        Assert.Contains("'notes'", run.Data.Tags.Single(t => t.Key == "kiln.error").Value);
    }

    [Fact]
    public async Task Cancelling_marks_the_run_killed_with_an_end_time()
    {
        var train = LoanData.Write(Dir, "train.csv", 2000, 1);
        using var cancel = new CancellationTokenSource();
        var stopper = new Counter(() => cancel.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Host.Get<TrainingSession>().RunAsync(
            new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "500" }, Experiment: "stopped"), progress: stopper, ct: cancel.Token));
        var experiment = await Tracking.GetExperimentByNameAsync("stopped");
        var run = (await Tracking.SearchRunsAsync([experiment.ExperimentId], null, ViewType.ActiveOnly, 10, null, null)).Items.Single();
        Assert.Equal(RunStatus.Killed, run.Info.Status);
        Assert.NotNull(run.Info.EndTime);
        Assert.DoesNotContain(run.Data.Tags, t => t.Key == "kiln.error");
    }

    [Fact]
    public async Task Early_stopping_without_a_validation_set_is_refused_before_any_run_exists()
    {
        var train = LoanData.Write(Dir, "train.csv", 200, 1);
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => Host.Get<TrainingSession>().RunAsync(
            new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["early_stopping_rounds"] = "5" }, Experiment: "refused")));
        Assert.Contains("--valid", e.Message);
        Assert.Null(await Tracking.FindExperimentByNameAsync("refused"));
    }

    private sealed class Counter(Action tick) : IProgress<Kiln.Learn.TrainingProgress>
    {
        public void Report(Kiln.Learn.TrainingProgress value) => tick();
    }

    [Fact]
    public async Task Cross_validation_logs_each_fold_and_the_mean_and_spread_and_a_search_scores_trials_by_it()
    {
        var data = LoanData.Write(Dir, "loans.csv", 600, 5);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(data, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "15" }, CvFolds: 4));
        var cv = result.CrossValidation!;
        Assert.Equal((4, "stratified"), (cv.Folds, cv.Scheme));
        Assert.InRange(cv.Mean["roc_auc"], 0.7, 1.0);
        Assert.Equal(cv.PerFold.Average(f => f["roc_auc"]), cv.Mean["roc_auc"], 12);
        Assert.True(cv.Std["roc_auc"] > 0);
        var history = await Tracking.GetMetricHistoryAsync(result.RunId, "cv_roc_auc", null, null);
        Assert.Equal([1L, 2L, 3L, 4L], history.Items.Select(m => m.Step).Order());
        var run = await Tracking.GetRunAsync(result.RunId);
        Assert.Contains(run.Data.Metrics, m => m.Key == "cv_roc_auc_mean" && Math.Abs(m.Value - cv.Mean["roc_auc"]) < 1e-9);
        Assert.Contains(run.Data.Params, p => p.Key == "cv_folds" && p.Value == "4");

        var grouped = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(data, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "5" },
            Drop: ["region"], CvFolds: 3, CvGroup: "region"));
        Assert.Equal("grouped by region", grouped.CrossValidation!.Scheme);
        Assert.DoesNotContain("region", grouped.Model.Schema.Features.Select(f => f.Name)); // the group column need not be a feature

        var search = await Host.Get<HyperparameterSearch>().RunAsync(new TrainRequest(data, "approved", "gbdt", new Dictionary<string, string>(), CvFolds: 3),
            SearchSpace.Parse(["rounds=3,20"]), "grid", 2, null);
        Assert.Equal("cv_roc_auc_mean", search.Metric);
        Assert.False(search.Minimize);
    }

    [Fact]
    public async Task A_linear_run_keeps_its_coefficients_with_intervals_only_when_unpenalised()
    {
        var data = LoanData.Write(Dir, "loans.csv", 800, 6);
        async Task<string[]> CoefficientsAsync(string lambda)
        {
            var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(data, "approved", "logistic", new Dictionary<string, string> { ["lambda"] = lambda }));
            var (store, root, _) = await Tracking.RunArtifactsAsync(result.RunId);
            await using var stream = await store.OpenReadAsync(Kiln.Core.Artifacts.ArtifactPath.Join(root, "coefficients.csv"));
            return (await new StreamReader(stream).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        var unpenalised = await CoefficientsAsync("0");
        Assert.Equal("output,term,category,raw,standardized,std_error,z,p_value,ci_low,ci_high", unpenalised[0]);
        var debt = unpenalised.Single(l => l.StartsWith("0,debt,,", StringComparison.Ordinal)).Split(',');
        Assert.True(double.Parse(debt[3], System.Globalization.CultureInfo.InvariantCulture) < 0); // more debt, fewer approvals
        Assert.True(double.Parse(debt[5], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains(unpenalised, l => l.StartsWith("0,region,north,", StringComparison.Ordinal));
        var penalised = (await CoefficientsAsync("0.01")).Single(l => l.StartsWith("0,debt,,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("", penalised[5]); // no standard error for a penalised fit
    }

    [Fact]
    public async Task A_threshold_rule_is_chosen_on_the_validation_data_kept_in_the_model_and_used_for_labels_and_metrics()
    {
        var train = LoanData.Write(Dir, "t.csv", 1500, 12);
        var valid = LoanData.Write(Dir, "v.csv", 800, 13);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "30" }, valid,
            Threshold: "precision=0.95"));
        var threshold = result.Model.Schema.DecisionThreshold;
        Assert.True(threshold > 0.5, $"threshold {threshold}");
        Assert.True(result.Metrics["valid_precision"] >= 0.95, $"precision {result.Metrics["valid_precision"]}");
        var run = await Tracking.GetRunAsync(result.RunId);
        Assert.Contains(run.Data.Params, p => p.Key == "decision_threshold" && double.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture) == threshold);

        var package = await Host.Get<ModelLocator>().ResolveAsync($"runs:/{result.RunId}/model", default);
        var reloaded = ModelPackage.Load(package.Directory);
        Assert.Equal(threshold, reloaded.Schema.DecisionThreshold); // kept in the model file
        var table = CsvReader.ReadFile(valid);
        var scored = BatchScorer.Score(new Kiln.Engine.Flavors.KilnPredictor(reloaded), table);
        var probabilities = reloaded.Predict(table);
        var predicted = scored["predicted_approved"];
        for (var row = 0; row < table.RowCount; row++)
        {
            Assert.Equal(probabilities[row] >= threshold ? "1" : "0", predicted.FormatValue(row));
        }
        await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "income", "linear",
            new Dictionary<string, string>(), Threshold: "f1")));
    }
}
