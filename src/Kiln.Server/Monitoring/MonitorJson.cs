using System.Text.Json;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Drift;

namespace Kiln.Server.Monitoring;

/// <summary>Monitoring results as the REST API answers them (snake_case, numbers as numbers, an infinite score as "Infinity").</summary>
public static class MonitorJson
{
    /// <summary>A drift result's fields.</summary>
    public static void WriteDrift(Utf8JsonWriter w, DeploymentDrift drift)
    {
        w.WriteString("deployment", drift.Deployment);
        w.WriteString("route", drift.Route);
        w.WriteString("model", drift.Model);
        w.WriteNumber("from", drift.From);
        w.WriteNumber("to", drift.To);
        w.WriteNumber("rows", drift.Rows);
        w.WriteBoolean("dataset_drift", drift.Report.DatasetDrifted);
        w.WriteNumber("drifted_share", drift.Report.DriftedShare);
        w.WriteNumber("share_threshold", drift.Report.ShareThreshold);
        w.WriteStartArray("features");
        foreach (var c in drift.Report.Columns)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Column);
            w.WriteString("kind", c.Kind);
            w.WriteString("method", c.Method.Name());
            Number(w, "score", c.Score);
            w.WriteNumber("threshold", c.Threshold);
            w.WriteBoolean("drifted", c.Drifted);
            w.WriteNumber("reference_values", c.ReferenceRows);
            w.WriteNumber("current_values", c.CurrentRows);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>A whole snapshot: drift (as <see cref="WriteDrift"/>), "quality" per feature, "prediction_drift", latency and error
    /// rate, "performance" and "history" (bucket by bucket; NaN as "NaN").</summary>
    public static void WriteSnapshot(Utf8JsonWriter w, MonitorSnapshot snapshot)
    {
        WriteDrift(w, snapshot.Drift);
        w.WriteStartArray("quality");
        foreach (var q in snapshot.Quality)
        {
            w.WriteStartObject();
            w.WriteString("name", q.Feature);
            w.WriteString("kind", q.Kind);
            w.WriteNumber("missing_share", q.MissingShare);
            w.WriteNumber("reference_missing_share", q.ReferenceMissingShare);
            w.WriteNumber("out_of_range_share", q.OutOfRangeShare);
            w.WriteNumber("unseen_share", q.UnseenShare);
            w.WriteStartArray("unseen");
            foreach (var u in q.Unseen)
            {
                w.WriteStringValue(u);
            }
            w.WriteEndArray();
            w.WriteBoolean("issue", q.HasIssue);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WritePredictionDrift(w, snapshot);
        WriteTraffic(w, snapshot);
        WritePerformance(w, snapshot.Performance);
        w.WriteStartArray("history");
        foreach (var p in snapshot.History ?? [])
        {
            w.WriteStartObject();
            w.WriteNumber("end", p.End);
            w.WriteNumber("rows", p.Rows);
            w.WriteNumber("drifted_share", p.DriftedShare);
            Number(w, "estimated_accuracy", p.EstimatedAccuracy);
            Number(w, "estimated_roc_auc", p.EstimatedAuc);
            Number(w, "realised_accuracy", p.RealisedAccuracy);
            w.WriteNumber("labelled", p.Labelled);
            w.WriteStartObject("scores");
            foreach (var (feature, score) in p.Scores)
            {
                Number(w, feature, score);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WritePredictionDrift(Utf8JsonWriter w, MonitorSnapshot snapshot)
    {
        if (snapshot.PredictionDrift is not { } p)
        {
            w.WriteNull("prediction_drift");
            return;
        }
        w.WriteStartObject("prediction_drift");
        w.WriteString("method", p.Method.Name());
        Number(w, "score", p.Score);
        w.WriteNumber("threshold", p.Threshold);
        w.WriteBoolean("drifted", p.Drifted);
        w.WriteEndObject();
    }

    /// <summary>The one-line view of a snapshot the status endpoint lists per deployment.</summary>
    public static void WriteSummary(Utf8JsonWriter w, MonitorSnapshot snapshot)
    {
        w.WriteString("route", snapshot.Drift.Route);
        w.WriteString("model", snapshot.Drift.Model);
        w.WriteNumber("rows", snapshot.Drift.Rows);
        w.WriteBoolean("dataset_drift", snapshot.Drift.Report.DatasetDrifted);
        w.WriteNumber("drifted_share", snapshot.Drift.Report.DriftedShare);
        w.WriteStartArray("drifted_features");
        foreach (var c in snapshot.Drift.Report.Columns.Where(c => c.Drifted))
        {
            w.WriteStringValue(c.Column);
        }
        w.WriteEndArray();
        w.WriteStartArray("quality_issues");
        foreach (var q in snapshot.Quality.Where(q => q.HasIssue))
        {
            w.WriteStringValue(q.Feature);
        }
        w.WriteEndArray();
        WritePredictionDrift(w, snapshot);
        WriteTraffic(w, snapshot);
        WritePerformance(w, snapshot.Performance);
    }

    private static void WriteTraffic(Utf8JsonWriter w, MonitorSnapshot snapshot)
    {
        foreach (var (name, value) in new[] { ("latency_p50_ms", snapshot.LatencyP50Ms), ("latency_p95_ms", snapshot.LatencyP95Ms), ("error_rate", snapshot.ErrorRate) })
        {
            if (value is { } v)
            {
                w.WriteNumber(name, v);
            }
            else
            {
                w.WriteNull(name);
            }
        }
    }

    private static void WritePerformance(Utf8JsonWriter w, PerformanceSummary p)
    {
        w.WriteStartObject("performance");
        w.WriteString("task", p.Task);
        w.WriteNumber("labelled", p.Labelled);
        if (p.MeanPrediction is { } mean)
        {
            w.WriteNumber("mean_prediction", mean);
        }
        Metrics(w, "realised", p.Realised);
        Metrics(w, "estimated", p.Estimated);
        Metrics(w, "baseline", p.Baseline);
        w.WriteEndObject();
    }

    private static void Metrics(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, double> metrics)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Number(w, key, value);
        }
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
