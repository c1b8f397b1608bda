using System.Globalization;
using System.Text;
using Kiln.Core.Tracking;
using Kiln.Engine.Charts;
using Kiln.Engine.Tracking;
using Kiln.Engine.Training;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Explanations;

/// <summary>
/// Records a batch explanation as a run: the model and data as params, each feature's mean |contribution| as a metric
/// (<c>mean_abs_contribution/FEATURE</c>), the SHAP summary chart (<c>charts/shap_summary.svg</c>), dependence plots of
/// the three most important numeric features (<c>charts/shap_dependence_FEATURE.svg</c>) and the importance table
/// (<c>explanations/importance.csv</c>).
/// </summary>
public sealed class ExplanationRecorder(ITracking tracking, TimeProvider time)
{
    /// <summary>The experiment explanation runs go to unless another is named.</summary>
    public const string DefaultExperiment = "Explanations";

    /// <summary>The charts of an explanation, by artifact name (without <c>.svg</c>).</summary>
    public static IReadOnlyList<(string Name, string Svg)> Charts(TrainedModel model, Table input, Explanation explanation)
    {
        var features = explanation.Features;
        var rows = input.RowCount;
        var contributions = features.Select((name, f) =>
        {
            var column = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                column[r] = explanation.Contributions[(r * features.Count) + f];
            }
            var numeric = model.Schema.Features[f].Kind == FeatureKind.Numeric && input.TryGetColumn(name, out var c) && c is NumericColumn;
            IReadOnlyList<double>? values = numeric ? Enumerable.Range(0, rows).Select(r => ((NumericColumn)input[name]).IsMissing(r) ? double.NaN : ((NumericColumn)input[name]).GetValue(r)).ToArray() : null;
            return new FeatureContributions(name, column, values);
        }).ToList();
        List<(string, string)> charts = [("shap_summary", ShapCharts.Summary(contributions))];
        foreach (var item in explanation.Importance.Where(i => contributions.First(c => c.Feature == i.Feature).Values is not null).Take(3))
        {
            charts.Add(("shap_dependence_" + Key(item.Feature), ShapCharts.Dependence(contributions.First(c => c.Feature == item.Feature))));
        }
        return charts;
    }

    /// <summary>Creates the finished run; returns its id.</summary>
    public async Task<string> RecordAsync(string modelUri, TrainedModel model, string dataPath, Data.DataSource? data, Table input, Explanation explanation,
        string experiment, CancellationToken ct = default)
    {
        var experimentId = await tracking.GetOrCreateExperimentAsync(experiment, ct);
        List<Tag> tags = [new("mlflow.source.name", "kiln explain"), new("mlflow.source.type", "LOCAL"), new("mlflow.user", Environment.UserName), new("kiln.explanation", "true")];
        var run = await tracking.CreateRunAsync(experimentId, Environment.UserName, "explain " + modelUri, null, tags, ct);
        var runId = run.Info.RunId;
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var metrics = explanation.Importance.Select(i => new Metric("mean_abs_contribution/" + Key(i.Feature), i.MeanAbsContribution, now, 0))
                .Append(new Metric("rows", input.RowCount, now, 0)).ToList();
            foreach (var chunk in metrics.Chunk(TrackingLimits.MaxMetricsPerBatch))
            {
                await tracking.LogBatchAsync(runId, chunk, [], [], ct);
            }
            await tracking.LogBatchAsync(runId, [], [new("model", modelUri), new("task", model.Schema.Task.ToString()), new("data", data?.Uri ?? Path.GetFullPath(dataPath))], [], ct);
            await tracking.LogInputsAsync(runId, [await TrainingSession.DatasetInputAsync(dataPath, data, input, "explanation", ct)], ct);
            var artifacts = new RunArtifactWriter(tracking, runId);
            foreach (var (name, svg) in Charts(model, input, explanation))
            {
                await artifacts.WriteTextAsync($"charts/{name}.svg", svg, ct);
            }
            var csv = new StringBuilder("feature,mean_abs_contribution\n");
            foreach (var item in explanation.Importance)
            {
                csv.Append(CultureInfo.InvariantCulture, $"\"{item.Feature.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{item.MeanAbsContribution:R}\n");
            }
            await artifacts.WriteTextAsync("explanations/importance.csv", csv.ToString(), ct);
            await tracking.UpdateRunAsync(runId, "FINISHED", time.GetUtcNow().ToUnixTimeMilliseconds(), null, ct);
            return runId;
        }
        catch (Exception e)
        {
            await tracking.EndUnfinishedRunAsync(runId, e, e is OperationCanceledException);
            throw;
        }
    }

    /// <summary>A feature name as a metric or file name part (characters MLflow keys allow).</summary>
    private static string Key(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_')]);
}
