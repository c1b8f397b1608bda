using Kiln.Engine.Monitoring;
using Kiln.Server.Serving;
using Prometheus;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Monitoring's Prometheus gauges, in the serving registry <c>/metrics</c> exports: per deployment the share of drifted
/// features, each feature's drift score, rows in the window, and performance realised and estimated (CBPE) by metric.
/// Set from every snapshot computed (the scheduler's, the REST API's).
/// </summary>
public sealed class MonitorMetrics
{
    private readonly Gauge _driftedShare;
    private readonly Gauge _featureDrift;
    private readonly Gauge _rows;
    private readonly Gauge _predictionDrift;
    private readonly Gauge _performance;

    /// <summary>Creates the gauges in <paramref name="serving"/>'s registry.</summary>
    public MonitorMetrics(ServingMetrics serving)
    {
        var factory = Metrics.WithCustomRegistry(serving.Registry);
        _driftedShare = factory.CreateGauge("kiln_monitor_drifted_share", "Share of a deployment's features that drifted in the last monitored window.", "deployment");
        _featureDrift = factory.CreateGauge("kiln_monitor_feature_drift_score", "A feature's drift score (its method's statistic or p-value) in the last monitored window.",
            "deployment", "feature", "method");
        _predictionDrift = factory.CreateGauge("kiln_monitor_prediction_drift_score", "Drift score of the predictions against the model's predictions on its training rows.",
            "deployment", "method");
        _rows = factory.CreateGauge("kiln_monitor_window_rows", "Logged rows in the last monitored window.", "deployment");
        _performance = factory.CreateGauge("kiln_monitor_performance", "Model performance in the last monitored window: realised (labelled rows) or estimated (CBPE).",
            "deployment", "metric", "kind");
    }

    /// <summary>Sets the gauges from <paramref name="snapshot"/>.</summary>
    public void Record(MonitorSnapshot snapshot)
    {
        var deployment = snapshot.Drift.Deployment;
        _driftedShare.WithLabels(deployment).Set(snapshot.Drift.Report.DriftedShare);
        _rows.WithLabels(deployment).Set(snapshot.Drift.Rows);
        foreach (var c in snapshot.Drift.Report.Columns)
        {
            _featureDrift.WithLabels(deployment, c.Column, Kiln.Engine.Monitoring.Drift.DriftMethods.Name(c.Method)).Set(c.Score);
        }
        if (snapshot.PredictionDrift is { } p)
        {
            _predictionDrift.WithLabels(deployment, Kiln.Engine.Monitoring.Drift.DriftMethods.Name(p.Method)).Set(p.Score);
        }
        foreach (var (metric, value) in snapshot.Performance.Realised)
        {
            _performance.WithLabels(deployment, metric, "realised").Set(value);
        }
        foreach (var (metric, value) in snapshot.Performance.Estimated)
        {
            _performance.WithLabels(deployment, metric, "estimated").Set(value);
        }
    }
}
