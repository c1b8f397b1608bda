using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Core.Tracking;
using Kiln.Engine.Charts;
using Kiln.Core.Ids;
using Kiln.Engine.Packaging;
using Kiln.Engine.Tracking;
using Kiln.Learn;
using Kiln.Tabular;

namespace Kiln.Engine.Training;

/// <summary>The result of a tracked training run.</summary>
public sealed record TrainResult(string RunId, string ExperimentId, TrainedModel Model, IReadOnlyDictionary<string, double> Metrics, int Iterations, TaskChoice Task, IReadOnlyList<string> Warnings,
    CrossValidationResult? CrossValidation = null);

/// <summary>
/// Trains a built-in learner on CSV data as one tracked run: params (every effective option), dataset inputs,
/// per-iteration train/valid loss as stepped metrics, final metrics, the model package under <c>model/</c> and
/// charts (loss curve, ROC/PR, calibration, confusion matrix, feature importance) under <c>charts/</c>.
/// </summary>
public sealed class TrainingSession(ITracking tracking, TimeProvider time, IdGenerator ids)
{
    /// <summary>Runs the whole thing; <paramref name="stage"/> hears what is happening, <paramref name="progress"/> each iteration.</summary>
    public async Task<TrainResult> RunAsync(TrainRequest request, IProgress<string>? stage = null, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        stage?.Report($"Loading {request.DataPath}");
        var train = await Task.Run(() => request.Read(request.DataPath, ct), ct);
        var valid = request.ValidPath is null ? null : await Task.Run(() => request.ReadLike(request.ValidPath, train, ct), ct);
        return await RunAsync(request, train, valid, [], stage, progress, ct);
    }

    /// <summary>Trains on tables already loaded; <paramref name="tags"/> go on the run. The columns are chosen and checked first.</summary>
    public Task<TrainResult> RunAsync(TrainRequest request, Table train, Table? valid, IReadOnlyList<Tag> tags,
        IProgress<string>? stage = null, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default) =>
        RunAsync(request, TrainingColumns.Prepare(request, train, valid), tags, stage, progress, ct);

    /// <summary>Trains on columns already chosen and checked (a search prepares them once for all its trials).</summary>
    public async Task<TrainResult> RunAsync(TrainRequest request, TrainingColumns columns, IReadOnlyList<Tag> tags,
        IProgress<string>? stage = null, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        var (train, valid) = (columns.Train, columns.Valid);
        foreach (var warning in columns.Warnings)
        {
            stage?.Report("Warning: " + warning);
        }
        var entry = LearnerCatalog.Get(request.Learner);
        var choice = TaskInference.Choose(train, request.Target, request.Task is null ? null : TaskInference.Parse(request.Task), entry.Name, entry.FixedTask);
        var task = choice.Task;
        stage?.Report($"Task: {task} ({choice.Reason})");
        if (request.Calibrate is not null && task != TaskKind.BinaryClassification)
        {
            throw Core.Errors.KilnException.Invalid($"--calibrate calibrates a binary classifier's probabilities; this is a {task} task.");
        }
        if (request.Calibrate is { } method && method.ToLowerInvariant() is not ("platt" or "sigmoid" or "isotonic"))
        {
            throw Core.Errors.KilnException.Invalid($"--calibrate {method}: use platt or isotonic.");
        }
        if (request.Threshold is not null && task != TaskKind.BinaryClassification)
        {
            throw Core.Errors.KilnException.Invalid($"--threshold chooses a binary classifier's decision threshold; this is a {task} task.");
        }
        var parameters = new Dictionary<string, string>(request.Parameters, StringComparer.OrdinalIgnoreCase) { ["task"] = task.ToString() };
        if (request.Weight is { } weightColumn)
        {
            parameters["weight_column"] = weightColumn;
        }
        var options = entry.BindOptions(parameters);
        if (valid is null && options.OptionNeedingValidation is { } needing)
        {
            // Checked before the run exists: a usage error leaves no run behind.
            var flag = OptionsBinder.SnakeCase(needing);
            throw Core.Errors.KilnException.Invalid($"{flag} needs a validation set: pass --valid FILE, or drop --param {flag}.");
        }

        var experimentId = await tracking.GetOrCreateExperimentAsync(request.Experiment, ct);
        var run = await tracking.CreateRunAsync(experimentId, Environment.UserName, request.RunName, null,
            [new Tag("mlflow.source.name", "kiln train"), new Tag("mlflow.source.type", "LOCAL"), new Tag("mlflow.user", Environment.UserName), new Tag("kiln.learner", entry.Name), new Tag("kiln.task.reason", choice.Reason), .. tags], ct);
        var runId = run.Info.RunId;
        try
        {
            var logged = OptionsBinder.Describe(options);
            logged["learner"] = entry.Name;
            logged["target"] = request.Target;
            logged["train_rows"] = train.RowCount.ToString(CultureInfo.InvariantCulture);
            logged["train_data"] = Path.GetFullPath(request.DataPath);
            if (request.Features is { Count: > 0 })
            {
                logged["features"] = string.Join(",", request.Features);
            }
            if (request.Drop is { Count: > 0 })
            {
                logged["drop"] = string.Join(",", request.Drop);
            }
            if (valid is not null)
            {
                logged["valid_rows"] = valid.RowCount.ToString(CultureInfo.InvariantCulture);
                logged["valid_data"] = request.ValidPath is null ? "held out from train_data" : Path.GetFullPath(request.ValidPath);
            }
            await tracking.LogBatchAsync(runId, [], [.. logged.Select(p => new Param(p.Key, p.Value))], [], ct);
            var inputs = new List<DatasetInput> { await DatasetInputAsync(request.DataPath, request.DataSource, train, "training", ct) };
            if (valid is not null && request.ValidPath is not null)
            {
                inputs.Add(await DatasetInputAsync(request.ValidPath, request.ValidSource, valid, "validation", ct));
            }
            await tracking.LogInputsAsync(runId, inputs, ct);

            // calibration needs rows the model did not learn from: the validation data, else a stratified fifth held out
            var (fitOn, calibrationSet) = (train, valid);
            if (request.Calibrate is not null && valid is null)
            {
                (fitOn, calibrationSet) = Learn.Splits.DataSplits.TrainTest(train, 0.2, 42, request.Target);
            }
            stage?.Report($"Training {entry.Name} ({task})");
            var curve = new List<TrainingProgress>();
            var model = await Task.Run(() => entry.Fit(fitOn, request.Target, options, valid, new CurveRecorder(curve, progress), ct), ct);
            var curveName = entry.Name == "forest" ? "oob" : "train";
            await LogCurveAsync(runId, curve, curveName, ct);

            List<(string Name, string Svg)> calibrationCharts = [];
            Dictionary<string, double> calibrationMetrics = [];
            if (request.Calibrate is { } calibrate)
            {
                stage?.Report(valid is null ? $"Calibrating ({calibrate}) on 20 % of the training rows held out from the fit" : $"Calibrating ({calibrate}) on the validation data");
                var outcome = CalibrationStep.Run(model, calibrationSet!, request.Target, calibrate, ct);
                calibrationCharts = [.. outcome.Charts];
                calibrationMetrics = outcome.Metrics;
                await tracking.LogBatchAsync(runId, [], [new Param("calibration", outcome.Method), new Param("calibration_rows", calibrationSet!.RowCount.ToString(CultureInfo.InvariantCulture)),
                    new Param("calibration_data", valid is null ? "20% of train_data held out from the fit" : "valid_data")], [], ct);
            }
            if (request.Threshold is { } rule)
            {
                // Chosen on the validation data (else the training data, which flatters it), before any metric is computed.
                var on = valid ?? train;
                stage?.Report(valid is null ? $"Choosing the threshold ({rule}) on the training data: pass --valid to choose it on held-out rows" : $"Choosing the threshold ({rule})");
                double threshold;
                try
                {
                    threshold = Learn.Metrics.DecisionThresholds.Choose(rule, ModelEvaluation.Labels(on[request.Target], model.Schema.Classes), model.Predict(on, ct));
                }
                catch (LearnException e)
                {
                    throw Core.Errors.KilnException.Invalid(e.Message); // a rule the data cannot meet, or a malformed rule: the user's to fix
                }
                model.SetDecisionThreshold(threshold);
                await tracking.LogBatchAsync(runId, [], [new Param("decision_threshold", threshold.ToString("R", CultureInfo.InvariantCulture)), new Param("threshold_rule", rule)], [], ct);
            }
            stage?.Report("Evaluating");
            var evaluated = valid ?? train;
            var weighted = request.Weight is { } w && evaluated.TryGetColumn(w, out _) ? w : null;
            var evaluation = ModelEvaluation.Evaluate(model, evaluated, request.Target, ct, training: train, weightColumn: weighted);
            var prefix = valid is null ? "train_" : "valid_";
            var metrics = evaluation.Metrics.ToDictionary(m => prefix + m.Key, m => m.Value);
            foreach (var (name, value) in ModelMetrics(model, valid is not null))
            {
                metrics[name] = value;
            }
            foreach (var (name, value) in calibrationMetrics)
            {
                metrics[name] = value;
            }
            var now = tracking.NowMs();
            await tracking.LogBatchAsync(runId, [.. metrics.Select(m => new Metric(m.Key, m.Value, now, curve.Count))], [], [], ct);
            CrossValidationResult? cv = null;
            if (request.CvFolds >= 2)
            {
                cv = await CrossValidation.RunAsync(entry, options, columns, request.Target, task, request.CvFolds, request.CvGroup, stage, ct);
                await tracking.LogBatchAsync(runId, [], [new Param("cv_folds", cv.Folds.ToString(CultureInfo.InvariantCulture)), new Param("cv_scheme", cv.Scheme)], [], ct);
                foreach (var chunk in CrossValidation.Metrics(cv).Chunk(Core.Tracking.TrackingLimits.MaxMetricsPerBatch))
                {
                    await tracking.LogBatchAsync(runId, [.. chunk.Select(m => new Metric(m.Name, m.Value, now, m.Step))], [], [], ct);
                }
                foreach (var (name, value) in cv.Mean)
                {
                    metrics[$"cv_{name}_mean"] = value;
                    metrics[$"cv_{name}_std"] = cv.Std[name];
                }
            }

            stage?.Report("Saving the model package and charts");
            var artifacts = new RunArtifactWriter(tracking, runId);
            var packageDir = Directory.CreateTempSubdirectory("kiln-model-").FullName;
            try
            {
                var mlmodel = ModelPackage.Write(packageDir, model, train, runId, time.GetUtcNow(), ids.NewId());
                await artifacts.UploadDirectoryAsync(packageDir, "model", ct);
                // recorded as MLflow's log_model records a model, so tools that list a run's models see it; as in MLflow's
                // client, a failure to record it (e.g. a history tag already full) is a warning, not a failed run
                try
                {
                    await tracking.LogModelAsync(runId, mlmodel.ToHistoryJson(), ct);
                }
                catch (Core.Errors.KilnException e) when (e.Code == Core.Errors.ErrorCode.InvalidParameterValue)
                {
                    stage?.Report($"Warning: the model was saved, but recording it in the run's model history failed: {e.Message}");
                }
            }
            finally
            {
                Directory.Delete(packageDir, recursive: true);
            }
            if (curve.Count > 0)
            {
                await artifacts.WriteTextAsync("charts/loss_curve.svg", LossChart(curve, model.Schema.Task, curveName == "oob" ? "out-of-bag" : "train"), ct);
            }
            foreach (var (name, svg) in evaluation.Charts.Concat(calibrationCharts))
            {
                await artifacts.WriteTextAsync($"charts/{name}.svg", svg, ct);
            }
            if (ModelEvaluation.Importance(model) is { Count: > 0 } importance)
            {
                await artifacts.WriteTextAsync("feature_importance.json", JsonSerializer.Serialize(importance.Select(i => new { feature = i.Feature, gain = i.Gain, splits = i.Splits })), ct);
                await artifacts.WriteTextAsync("charts/feature_importance.svg",
                    BarChart.Horizontal("Feature importance (gain)", [.. importance.Select(i => (i.Feature, i.Gain))]), ct);
            }
            if (model is Learn.Linear.LinearModel linear)
            {
                // Intervals only for an unpenalised fit: a penalty biases the coefficients, and the usual errors no longer hold.
                var unpenalised = options is Learn.Linear.LinearOptions { Alpha: 0 } or Learn.Linear.LogisticOptions { Lambda: 0 };
                var coefficients = await Task.Run(() => linear.Coefficients(unpenalised ? train : null), ct);
                await artifacts.WriteTextAsync("coefficients.csv", CoefficientsCsv(coefficients), ct);
                stage?.Report(unpenalised ? "Coefficients with standard errors and 95 % intervals: coefficients.csv"
                    : "Coefficients: coefficients.csv (no intervals for a penalised fit: --param alpha=0 or lambda=0 for them)");
            }
            await tracking.UpdateRunAsync(runId, RunStatus.Finished.WireName(), tracking.NowMs(), null, ct);
            return new TrainResult(runId, experimentId, model, metrics, curve.Count, choice, columns.Warnings, cv);
        }
        catch (Exception e)
        {
            await tracking.EndUnfinishedRunAsync(runId, e, cancelled: ct.IsCancellationRequested || e is OperationCanceledException);
            throw;
        }
    }

    /// <summary>
    /// What the learner measured itself: a forest's out-of-bag score (an estimate on unseen rows, the number to read
    /// without <c>--valid</c>), and boosting's best iteration when a validation set chose it (the model keeps that many rounds).
    /// </summary>
    /// <summary>The coefficient table as CSV: output, term, category, raw, standardized, std_error, z, p_value, ci_low, ci_high (empty when not defined).</summary>
    public static string CoefficientsCsv(IReadOnlyList<Learn.Linear.Coefficient> rows)
    {
        static string N(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        static string Q(string? text) => text is null ? "" : text.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
        var csv = new System.Text.StringBuilder("output,term,category,raw,standardized,std_error,z,p_value,ci_low,ci_high\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Output},{Q(r.Term)},{Q(r.Category)},{N(r.Raw)},{N(r.Standardized)},{N(r.StdError)},{N(r.Z)},{N(r.PValue)},{N(r.Low)},{N(r.High)}\n");
        }
        return csv.ToString();
    }

    private static IEnumerable<(string Name, double Value)> ModelMetrics(TrainedModel model, bool validated)
    {
        if (model.Properties.TryGetValue("oob_score", out var oob) && double.TryParse(oob, CultureInfo.InvariantCulture, out var score))
        {
            yield return (model.Schema.Task == TaskKind.Regression ? "oob_r2" : "oob_accuracy", score);
        }
        if (validated && model.Properties.TryGetValue("best_round", out var best) && double.TryParse(best, CultureInfo.InvariantCulture, out var round))
        {
            yield return ("best_iteration", round);
        }
    }

    private async Task LogCurveAsync(string runId, List<TrainingProgress> curve, string curveName, CancellationToken ct)
    {
        var now = tracking.NowMs();
        var points = new List<Metric>();
        foreach (var p in curve)
        {
            if (!double.IsNaN(p.TrainLoss))
            {
                points.Add(new Metric(curveName + "_loss", p.TrainLoss, now, p.Iteration));
            }
            if (p.ValidationLoss is { } v)
            {
                points.Add(new Metric("valid_loss", v, now, p.Iteration));
            }
        }
        foreach (var chunk in points.Chunk(TrackingLimits.MaxMetricsPerBatch))
        {
            await tracking.LogBatchAsync(runId, chunk, [], [], ct);
        }
    }

    private static string LossChart(List<TrainingProgress> curve, TaskKind task, string trainLabel)
    {
        var series = new List<Series>();
        var x = curve.Select(p => (double)p.Iteration).ToList();
        if (curve.Any(p => !double.IsNaN(p.TrainLoss)))
        {
            series.Add(new Series(trainLabel, x, [.. curve.Select(p => p.TrainLoss)]));
        }
        if (curve.Any(p => p.ValidationLoss is not null))
        {
            series.Add(new Series("valid", x, [.. curve.Select(p => p.ValidationLoss ?? double.NaN)]));
        }
        var loss = task == TaskKind.Regression ? "loss" : "log loss";
        return LineChart.Render("Loss by iteration", "iteration", loss, series);
    }

    /// <summary>An MLflow dataset input for a CSV file: its SHA-256 digest, path and column schema.</summary>
    internal static async Task<DatasetInput> DatasetInputAsync(string path, Data.DataSource? dataset, Table table, string context, CancellationToken ct)
    {
        string digest;
        if (dataset is not null)
        {
            // a versioned dataset: its version id is the digest, so lineage can find every run that read it
            digest = dataset.Digest;
        }
        else
        {
            await using var file = File.OpenRead(path);
            digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct))[..16];
        }
        var schema = JsonSerializer.Serialize(new
        {
            mlflow_colspec = table.Columns.Select(c => new { type = c is Kiln.Tabular.Columns.NumericColumn ? "double" : "string", name = c.Name }),
        });
        var profile = JsonSerializer.Serialize(new { num_rows = table.RowCount, num_elements = (long)table.RowCount * table.ColumnCount });
        var source = JsonSerializer.Serialize(new { uri = dataset?.Uri ?? Path.GetFullPath(path) });
        return new DatasetInput(new Dataset(dataset?.Name ?? Path.GetFileName(path), digest, dataset is null ? "local" : "kiln-dataset", source, schema, profile),
            [new Tag("mlflow.data.context", context)]);
    }

    /// <summary>Keeps every iteration's report and forwards it, on the training thread (no posting, no reordering).</summary>
    private sealed class CurveRecorder(List<TrainingProgress> curve, IProgress<TrainingProgress>? forward) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            curve.Add(value);
            forward?.Report(value);
        }
    }
}
