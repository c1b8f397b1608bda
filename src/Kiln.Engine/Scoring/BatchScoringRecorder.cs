using System.Globalization;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Flavors;
using Kiln.Engine.Registry;
using Kiln.Engine.Tracking;
using Kiln.Engine.Training;
using Kiln.Tabular;

namespace Kiln.Engine.Scoring;

/// <summary>One batch scoring: the model scored, its input and output, and how long it took.</summary>
/// <param name="Model">The model reference as given (folder, <c>runs:/</c>, <c>models:/</c>).</param>
/// <param name="Predictor">The loaded model.</param>
/// <param name="DataPath">The local file scored.</param>
/// <param name="Data">The dataset version the file is, for lineage (null for a plain file).</param>
/// <param name="Input">The rows scored.</param>
/// <param name="OutputPath">Where the scored rows were written.</param>
/// <param name="Seconds">Wall time of reading, scoring and writing.</param>
/// <param name="BadValues">Values read as missing under <c>--on-bad-value missing</c>.</param>
public sealed record BatchScoring(string Model, IPredictor Predictor, string DataPath, Data.DataSource? Data, Table Input, string OutputPath, double Seconds, int BadValues);

/// <summary>
/// Records a batch scoring as a run, as MLflow users log a <c>mlflow.pyfunc.spark_udf</c> or batch job: the model URI
/// and flavor as params, rows, seconds and rows/s as metrics, the scored data as the run's input (dataset lineage),
/// the registered version it used as tags (<c>kiln.model.name</c>/<c>kiln.model.version</c>).
/// </summary>
public sealed class BatchScoringRecorder(ITracking tracking, TimeProvider time, IModelFiles? models = null)
{
    /// <summary>The experiment batch scoring runs go to unless another is named.</summary>
    public const string DefaultExperiment = "Batch scoring";

    /// <summary>Creates the finished run; returns its id.</summary>
    public async Task<string> RecordAsync(BatchScoring scoring, string experiment, CancellationToken ct = default)
    {
        ModelVersion? version = null;
        if (ModelUri.Is(scoring.Model) && models is not null)
        {
            version = (await models.LocateAsync(scoring.Model, ct)).Version;
        }
        var experimentId = await tracking.GetOrCreateExperimentAsync(experiment, ct);
        List<Tag> tags = [new("mlflow.source.name", "kiln predict"), new("mlflow.source.type", "LOCAL"), new("mlflow.user", Environment.UserName),
            new("kiln.batch_scoring", "true"), new("kiln.predict.output", Path.GetFullPath(scoring.OutputPath))];
        if (version is not null)
        {
            tags.AddRange([new(Evaluation.EvaluationService.ModelNameTag, version.Name), new(Evaluation.EvaluationService.ModelVersionTag, version.Version.ToString(CultureInfo.InvariantCulture))]);
        }
        var label = version is null ? scoring.Model : $"{version.Name} v{version.Version}";
        var run = await tracking.CreateRunAsync(experimentId, Environment.UserName, "predict " + label, null, tags, ct);
        var runId = run.Info.RunId;
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var rows = scoring.Input.RowCount;
            await tracking.LogBatchAsync(runId,
                [new Metric("rows", rows, now, 0), new Metric("seconds", scoring.Seconds, now, 0), new Metric("rows_per_second", scoring.Seconds > 0 ? rows / scoring.Seconds : 0, now, 0),
                    new Metric("bad_values", scoring.BadValues, now, 0)],
                [new("model", scoring.Model), new("flavor", scoring.Predictor.Flavor), new("task", scoring.Predictor.Schema.Task.ToString()),
                    new("data", scoring.Data?.Uri ?? Path.GetFullPath(scoring.DataPath))], [], ct);
            await tracking.LogInputsAsync(runId, [await TrainingSession.DatasetInputAsync(scoring.DataPath, scoring.Data, scoring.Input, "scoring", ct)], ct);
            await tracking.UpdateRunAsync(runId, "FINISHED", time.GetUtcNow().ToUnixTimeMilliseconds(), null, ct);
            return runId;
        }
        catch (Exception e)
        {
            await tracking.EndUnfinishedRunAsync(runId, e, e is OperationCanceledException);
            throw;
        }
    }
}
