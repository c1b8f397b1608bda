using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Core.Tracking;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Engine.Monitoring.Performance;
using Kiln.Engine.Monitoring.Quality;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using Kiln.Learn.Data;

namespace Kiln.Engine.Monitoring;

/// <summary>A window's model performance: realised where ground truth has arrived, estimated (binary classifiers, CBPE)
/// over every row, and the model's own evaluation as the baseline.</summary>
/// <param name="Task">The model's task.</param>
/// <param name="Labelled">Rows whose label has arrived.</param>
/// <param name="Realised">Metrics over the labelled rows.</param>
/// <param name="Estimated">Expected metrics over all rows, from the model's probabilities (with accuracy_sd).</param>
/// <param name="Baseline">The metrics the model's training run recorded on its validation rows (or training rows).</param>
/// <param name="MeanPrediction">The mean predicted probability (binary) or value (regression) in the window.</param>
public sealed record PerformanceSummary(string Task, int Labelled, IReadOnlyDictionary<string, double> Realised, IReadOnlyDictionary<string, double> Estimated,
    IReadOnlyDictionary<string, double> Baseline, double? MeanPrediction);

/// <summary>Everything monitoring knows about one window of a deployment's traffic.</summary>
/// <param name="Drift">Drift per feature and for the data set.</param>
/// <param name="Quality">Data quality per feature.</param>
/// <param name="Performance">Realised, estimated and baseline performance.</param>
/// <param name="LatencyP50Ms">The median scoring time of the window's logged rows, or null without rows.</param>
/// <param name="LatencyP95Ms">Their 95th percentile.</param>
/// <param name="PredictionDrift">Drift of the window's predictions from the model's predictions on its training rows (null
/// when the package has no prediction profile, e.g. a model trained elsewhere, or for multiclass models).</param>
/// <param name="ErrorRate">The route's share of requests answered with an error over its live replicas' last heartbeat
/// window (about 30 s), or null without requests.</param>
public sealed record MonitorSnapshot(DeploymentDrift Drift, IReadOnlyList<FeatureQuality> Quality, PerformanceSummary Performance, double? LatencyP50Ms = null,
    double? LatencyP95Ms = null, ColumnDrift? PredictionDrift = null, double? ErrorRate = null);

/// <summary>
/// A deployment's monitoring over a window of its prediction log: drift (<see cref="DeploymentDriftService"/>), live
/// data quality (<see cref="LiveQuality"/>), realised performance where labels have arrived, CBPE-estimated performance
/// before they do, and the training run's evaluation as the baseline.
/// </summary>
public sealed class MonitorService(DeploymentDriftService windows, ITrackingStore tracking, IReplicaStore replicas, TimeProvider time)
{
    /// <summary>Replicas whose last heartbeat is older than this are not counted in the error rate.</summary>
    public static readonly TimeSpan LiveReplica = TimeSpan.FromMinutes(2);

    /// <summary>Monitors the last <paramref name="window"/> of <paramref name="deployment"/>'s traffic on a route (at most its
    /// newest <paramref name="maxRows"/> rows, default <see cref="DeploymentDriftService.MaxWindowRows"/>).</summary>
    public async Task<MonitorSnapshot> SnapshotAsync(string deployment, TimeSpan window, string? route, DriftOptions? options, CancellationToken ct = default, int? maxRows = null)
    {
        var w = await windows.LoadAsync(deployment, window, route, null, ct, maxRows);
        var drift = DeploymentDriftService.Drift(w, options);
        var schema = w.Served.Model.Schema;
        var quality = LiveQuality.Compare(w.Reference, w.Inputs, schema);
        var performance = Performance(w.Records, schema, await BaselineAsync(w.Served.Version?.RunId, ct));
        var latencies = w.Records.Select(r => r.LatencyMs).Order().ToArray();
        var (requests, errors) = await RecentTrafficAsync(deployment, w.Route, ct);
        return new MonitorSnapshot(drift, quality, performance, Percentile(latencies, 0.5), Percentile(latencies, 0.95), PredictionDrift(w, options),
            requests > 0 ? (double)errors / requests : null);
    }

    /// <summary>Requests and error answers of <paramref name="route"/> over the live replicas' last heartbeat window (the
    /// prediction log keeps answered requests only, so errors come from the replicas' traffic counters).</summary>
    public async Task<(long Requests, long Errors)> RecentTrafficAsync(string deployment, string route, CancellationToken ct = default)
    {
        var since = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)LiveReplica.TotalMilliseconds;
        var routes = (await replicas.ListAsync(deployment, ct)).Where(r => r.LastSeen >= since).SelectMany(r => r.Routes).Where(r => r.Route == route).ToList();
        return (routes.Sum(r => r.Recent.Requests), routes.Sum(r => r.Recent.Errors));
    }

    /// <summary>The window's predictions against the model's on its training rows, by the same rules as a feature.</summary>
    private static ColumnDrift? PredictionDrift(LogWindow w, DriftOptions? options)
    {
        if (w.PredictionReference is null || w.Served.Model.Schema.OutputCount != 1)
        {
            return null;
        }
        var values = w.Records.Select(r => Prediction(r.Outputs, w.Served.Model.Schema.Task)).OfType<double>().ToArray();
        if (values.Length == 0)
        {
            return null;
        }
        var current = Tabular.Statistics.TableProfile.Compute(new Tabular.Table([new Tabular.Columns.Float64Column(ModelPackage.PredictionColumn, values)]));
        var report = DriftCalculator.Compare(w.PredictionReference, current, (options ?? DriftOptions.Default) with { Columns = [ModelPackage.PredictionColumn] });
        return report.Columns.FirstOrDefault();
    }

    private static double? Percentile(double[] sorted, double q) => sorted.Length == 0 ? null : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    /// <summary>Realised and estimated performance of logged rows (their answers and any labels).</summary>
    public static PerformanceSummary Performance(IReadOnlyList<PredictionRecord> records, ModelSchema schema, IReadOnlyDictionary<string, double> baseline)
    {
        var task = schema.Task switch
        {
            TaskKind.BinaryClassification => "binary",
            TaskKind.MulticlassClassification => "multiclass",
            _ => "regression",
        };
        var predictions = new List<double>(records.Count);
        var labelled = new List<(double Prediction, double Label)>();
        foreach (var record in records)
        {
            if (Prediction(record.Outputs, schema.Task) is not { } prediction)
            {
                continue;
            }
            predictions.Add(prediction);
            if (record.Label is { } label && Label(label, schema) is { } actual)
            {
                labelled.Add((prediction, actual));
            }
        }
        var all = predictions.ToArray();
        var (scored, truth) = (labelled.Select(l => l.Prediction).ToArray(), labelled.Select(l => l.Label).ToArray());
        IReadOnlyDictionary<string, double> realised = schema.Task switch
        {
            TaskKind.BinaryClassification => Realised.Binary(scored, [.. truth.Select(t => (int)t)]),
            TaskKind.Regression => Realised.Regression(scored, truth),
            _ => new Dictionary<string, double>(),
        };
        var estimated = schema.Task == TaskKind.BinaryClassification ? Cbpe.Estimate(all) : new Dictionary<string, double>();
        return new PerformanceSummary(task, labelled.Count, realised, estimated, baseline, all.Length > 0 ? all.Average() : null);
    }

    /// <summary>The binary probability or regression value a logged answer holds (null for multiclass or an unreadable one).</summary>
    private static double? Prediction(string outputs, TaskKind task)
    {
        try
        {
            using var doc = JsonDocument.Parse(outputs);
            var root = doc.RootElement;
            return task switch
            {
                TaskKind.Regression when root.ValueKind == JsonValueKind.Number => root.GetDouble(),
                TaskKind.BinaryClassification when root.ValueKind == JsonValueKind.Object && root.TryGetProperty("probability", out var p)
                    && p.ValueKind == JsonValueKind.Number => p.GetDouble(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A label as 0/1 (binary: the second class is 1) or a number (regression); null when it is neither.</summary>
    private static double? Label(string label, ModelSchema schema)
    {
        if (schema.Task == TaskKind.BinaryClassification && schema.Classes.Count == 2)
        {
            return label == schema.Classes[1] ? 1 : label == schema.Classes[0] ? 0 : null;
        }
        return schema.Task == TaskKind.Regression && double.TryParse(label, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : null;
    }

    /// <summary>The training run's evaluation: its valid_* metrics (train_* when it had no validation rows), unprefixed.</summary>
    private async Task<IReadOnlyDictionary<string, double>> BaselineAsync(string? runId, CancellationToken ct)
    {
        if (runId is null)
        {
            return new Dictionary<string, double>();
        }
        Run run;
        try
        {
            run = await tracking.GetRunAsync(runId, ct);
        }
        catch (KilnException)
        {
            return new Dictionary<string, double>(); // the run was deleted, or the model was registered from elsewhere
        }
        var metrics = run.Data.Metrics;
        var prefix = metrics.Any(m => m.Key.StartsWith("valid_", StringComparison.Ordinal)) ? "valid_" : "train_";
        return metrics.Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(m => m.Key[prefix.Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    }
}
