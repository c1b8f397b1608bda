using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Packaging;
using Kiln.Engine.Registry;
using Kiln.Engine.Tracking;
using Kiln.Engine.Training;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Evaluation;

/// <summary>What to evaluate: a model (folder, <c>runs:/</c> or <c>models:/</c>) on labelled data, optionally by slices.</summary>
/// <param name="Model">The model reference.</param>
/// <param name="DataPath">A local CSV or Parquet file holding the model's features and its target column.</param>
/// <param name="Data">The dataset version the file is, for lineage (null for a plain file).</param>
/// <param name="Slices">Columns to compute per-slice metrics by (categories, or quartiles of numbers).</param>
/// <param name="Experiment">The experiment the evaluation run goes to.</param>
/// <param name="Weight">A numeric column of row weights: the overall metrics are weighted (slices and fairness are not), or null.</param>
public sealed record EvaluationRequest(string Model, string DataPath, DataSource? Data, IReadOnlyList<string> Slices, string Experiment = "Evaluations", string? Weight = null);

/// <summary>An evaluation's outcome, also recorded as a run.</summary>
/// <param name="RunId">The run holding metrics, charts and the HTML report.</param>
/// <param name="Model">The model reference evaluated.</param>
/// <param name="Version">The registered version, when the reference was a <c>models:/</c> URI.</param>
/// <param name="Task">Binary, multiclass or regression.</param>
/// <param name="Rows">Rows evaluated.</param>
/// <param name="Metrics">The task's metrics on all rows.</param>
/// <param name="Slices">Metrics per slice.</param>
/// <param name="SliceGaps">Per metric, the largest difference between two slices of one column.</param>
/// <param name="Report">The self-contained HTML report.</param>
/// <param name="Fairness">For a binary model, how it treats the groups of each slice column (empty otherwise).</param>
public sealed record EvaluationResult(string RunId, string Model, ModelVersion? Version, TaskKind Task, int Rows, IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<SliceResult> Slices, IReadOnlyDictionary<string, double> SliceGaps, string Report, IReadOnlyList<FairnessSummary>? Fairness = null);

/// <summary>
/// Evaluates a model on data it did not train on, as <c>kiln evaluate</c> does: the task's metrics overall and per slice,
/// charts (ROC, PR, calibration, confusion matrix; residuals for regression) and an HTML report, recorded as a run linked to
/// the model version (tags <c>kiln.model.name</c>/<c>kiln.model.version</c>) and to the dataset version (its input).
/// </summary>
public sealed class EvaluationService(ITracking tracking, ModelLocator locator, TimeProvider time, IModelFiles? models = null, Flavors.FlavorCatalog? flavors = null)
{
    /// <summary>Tag naming the evaluated registered model.</summary>
    public const string ModelNameTag = "kiln.model.name";

    /// <summary>Tag naming the evaluated version number.</summary>
    public const string ModelVersionTag = "kiln.model.version";

    /// <summary>Evaluates and records; <paramref name="stage"/> hears each step.</summary>
    public async Task<EvaluationResult> EvaluateAsync(EvaluationRequest request, IProgress<string>? stage = null, CancellationToken ct = default)
    {
        ModelVersion? version = null;
        if (ModelUri.Is(request.Model))
        {
            version = (await (models ?? throw KilnException.Invalid($"'{request.Model}' names a registered model, but no model registry is configured here."))
                .LocateAsync(request.Model, ct)).Version;
        }
        stage?.Report("Loading " + request.Model);
        var (directory, temporary) = await locator.ResolveAsync(version is null ? request.Model : $"models:/{version.Name}/{version.Version}", ct);
        Flavors.IPredictor model;
        try
        {
            model = (flavors ?? Flavors.FlavorCatalog.Builtin).Load(directory);
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        using var release = model;
        stage?.Report("Reading " + request.DataPath);
        var table = await Task.Run(() => Read(request.DataPath, model.Schema, request.Slices, ct, request.Weight), ct);
        stage?.Report($"Scoring {table.RowCount:N0} rows");
        var outputs = await Task.Run(() => model.Predict(table, ct), ct);
        var target = table[model.Schema.Target];
        var overall = request.Weight is { } weight
            ? ModelEvaluation.EvaluateWeighted(model.Schema, table, outputs, weight)
            : ModelEvaluation.Evaluate(model.Schema, table, outputs);
        var slices = new List<SliceResult>();
        foreach (var column in request.Slices)
        {
            foreach (var (value, rows) in SliceMetrics.Slices(table[column]))
            {
                slices.Add(new SliceResult(column, value, rows.Length, rows.Length < SliceMetrics.MinRows ? new Dictionary<string, double>() : SliceMetrics.Compute(model.Schema, target, outputs, rows)));
            }
        }
        var gaps = SliceMetrics.Gaps(slices);
        // Fairness across the slice (sensitive) columns' groups; the worst of each measure joins the metrics, so gates can check it.
        var fairness = Fairness.Summarize(slices);
        var metricsAll = new Dictionary<string, double>(overall.Metrics, StringComparer.Ordinal);
        foreach (var (name, value) in Fairness.Worst(fairness))
        {
            metricsAll[name] = value;
        }

        stage?.Report("Recording the run");
        var label = version is null ? request.Model : $"{version.Name} v{version.Version}";
        var experimentId = await tracking.GetOrCreateExperimentAsync(request.Experiment, ct);
        List<Tag> tags = [new("mlflow.source.name", "kiln evaluate"), new("mlflow.source.type", "LOCAL"), new("mlflow.user", Environment.UserName), new("kiln.evaluation", "true"),
            new("kiln.evaluation.model_uri", request.Model)];
        if (version is not null)
        {
            tags.AddRange([new(ModelNameTag, version.Name), new(ModelVersionTag, version.Version.ToString(CultureInfo.InvariantCulture))]);
            if (version.RunId is not null)
            {
                tags.Add(new("kiln.model.source_run", version.RunId));
            }
        }
        var run = await tracking.CreateRunAsync(experimentId, Environment.UserName, "evaluate " + label, null, tags, ct);
        var runId = run.Info.RunId;
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await tracking.LogBatchAsync(runId, [], [new("model", request.Model), new("target", model.Schema.Target), new("rows", table.RowCount.ToString(CultureInfo.InvariantCulture)),
                new("data", request.Data?.Uri ?? Path.GetFullPath(request.DataPath)), new("slices", string.Join(",", request.Slices)),
                new("weight", request.Weight ?? "")], [], ct);
            var metrics = metricsAll.Select(m => new Metric(m.Key, m.Value, now, 0))
                .Concat(fairness.SelectMany(f => Fairness.MetricNames.Zip([f.DemographicParityDifference, f.DemographicParityRatio, f.EqualOpportunityDifference,
                    f.EqualizedOddsDifference, f.CalibrationGap]).Select(m => new Metric($"fairness/{Key(f.Column)}/{m.First}", m.Second, now, 0))))
                .Concat(slices.SelectMany(s => s.Metrics.Select(m => new Metric($"slice/{Key(s.Column)}/{Key(s.Value)}/{m.Key}", m.Value, now, 0))))
                .Concat(gaps.Select(g => new Metric("slice_gap/" + g.Key, g.Value, now, 0))).ToList();
            foreach (var chunk in metrics.Chunk(TrackingLimits.MaxMetricsPerBatch))
            {
                await tracking.LogBatchAsync(runId, chunk, [], [], ct);
            }
            await tracking.LogInputsAsync(runId, [await TrainingSession.DatasetInputAsync(request.DataPath, request.Data, table, "evaluation", ct)], ct);
            var artifacts = new RunArtifactWriter(tracking, runId);
            foreach (var (name, svg) in overall.Charts)
            {
                await artifacts.WriteTextAsync($"charts/{name}.svg", svg, ct);
            }
            var result = new EvaluationResult(runId, request.Model, version, model.Schema.Task, table.RowCount, metricsAll, slices, gaps, "", fairness);
            var report = EvaluationReport.Render(result, label, overall.Charts, request.Data?.Uri ?? Path.GetFileName(request.DataPath));
            await artifacts.WriteTextAsync("evaluation/report.html", report, ct);
            await artifacts.WriteTextAsync("evaluation/result.json", JsonSerializer.Serialize(new
            {
                model = request.Model, task = model.Schema.Task.ToString(), rows = table.RowCount, metrics = metricsAll,
                slices = slices.Select(s => new { column = s.Column, value = s.Value, rows = s.Rows, metrics = s.Metrics }), slice_gaps = gaps,
                fairness = fairness.Select(f => new
                {
                    column = f.Column, groups = f.Groups, demographic_parity_difference = f.DemographicParityDifference, demographic_parity_ratio = f.DemographicParityRatio,
                    four_fifths = f.FourFifths, equal_opportunity_difference = f.EqualOpportunityDifference, equalized_odds_difference = f.EqualizedOddsDifference,
                    calibration_gap = f.CalibrationGap,
                }),
            }), ct);
            await tracking.UpdateRunAsync(runId, "FINISHED", time.GetUtcNow().ToUnixTimeMilliseconds(), null, ct);
            return result with { Report = report };
        }
        catch (Exception e)
        {
            await tracking.EndUnfinishedRunAsync(runId, e, e is OperationCanceledException);
            throw;
        }
    }

    /// <summary>Reads the evaluation data: the model's features typed as it trained on them, the target, the slice columns; every missing one is named.</summary>
    public static Table Read(string path, ModelSchema schema, IReadOnlyList<string> slices, CancellationToken ct, string? weight = null)
    {
        var header = ReadOptions.Header(path, null);
        var needed = schema.Features.Select(f => f.Name).Append(schema.Target).Concat(slices).Concat(weight is null ? [] : [weight]).Distinct(StringComparer.Ordinal).ToList();
        var missing = needed.Where(n => !header.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            var why = missing.Select(m => m == schema.Target ? $"'{m}' (the target the model predicts)" : m == weight ? $"'{m}' (the --weight column)" : slices.Contains(m) && schema.Features.All(f => f.Name != m) ? $"'{m}' (a --slice column)" : $"'{m}' (a feature the model's signature needs)");
            throw KilnException.Invalid($"{path} has no column {string.Join(", ", why)}. The file's columns: {string.Join(", ", header)}.");
        }
        var kinds = header.Distinct(StringComparer.Ordinal).Where(h => !slices.Contains(h) && h != weight).ToDictionary(h => h, _ => ColumnKind.Text, StringComparer.Ordinal);
        foreach (var feature in schema.Features)
        {
            kinds[feature.Name] = feature.Kind == FeatureKind.Categorical ? ColumnKind.Categorical : ColumnKind.Numeric;
        }
        kinds[schema.Target] = schema.Task == TaskKind.Regression ? ColumnKind.Numeric : ColumnKind.Categorical;
        var table = ReadOptions.ReadCsv(path, ReadOptions.WithMissing(null) with { ColumnTypes = kinds }, null, ct);
        var target = table[schema.Target];
        if (target.CountMissing() > 0)
        {
            throw KilnException.Invalid($"{path}: the target column '{schema.Target}' has {target.CountMissing():N0} missing value(s); evaluation needs every row labelled.");
        }
        return table;
    }

    /// <summary>A slice column or value as a metric-key segment (MLflow keys allow letters, digits, _ - . space /).</summary>
    private static string Key(string text) => new([.. text.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' ? c : '_')]);
}
