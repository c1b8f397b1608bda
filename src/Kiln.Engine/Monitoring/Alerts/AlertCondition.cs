using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Engine.Monitoring.Alerts;

/// <summary>
/// <c>METRIC OP NUMBER</c> over a <see cref="MonitorSnapshot"/>, OP one of &gt; &gt;= &lt; &lt;=. Metrics:
/// <list type="bullet">
/// <item><c>drift_share</c>, <c>dataset_drift</c> (0/1), <c>drift.FEATURE</c> (its score), <c>drifted.FEATURE</c> (0/1),
/// <c>prediction_drift</c> (the predictions' score against the model's on its training rows), <c>prediction_drifted</c> (0/1)</item>
/// <item><c>missing.FEATURE</c>, <c>out_of_range.FEATURE</c>, <c>unseen.FEATURE</c> (shares), <c>quality_issues</c> (features with one)</item>
/// <item><c>realised.METRIC</c>, <c>estimated.METRIC</c>, <c>baseline.METRIC</c>, and <c>drop.METRIC</c> = baseline − (realised when
/// labels arrived, else estimated); METRIC e.g. accuracy, roc_auc, f1, precision, recall, rmse</item>
/// <item><c>rows</c>, <c>latency_p95_ms</c>, <c>latency_p50_ms</c>, <c>mean_prediction</c>, <c>error_rate</c> (the replicas'
/// last heartbeat window)</item>
/// </list>
/// A metric with no value in a window (no labels yet, no rows) never breaches.
/// </summary>
public sealed record AlertCondition(string Metric, string Op, double Threshold)
{
    private static readonly string[] Ops = [">=", "<=", ">", "<"];
    private static readonly string[] Plain = ["drift_share", "dataset_drift", "prediction_drift", "prediction_drifted", "quality_issues", "rows", "latency_p95_ms",
        "latency_p50_ms", "mean_prediction", "error_rate"];
    private static readonly string[] Prefixed = ["drift", "drifted", "missing", "out_of_range", "unseen", "realised", "estimated", "baseline", "drop"];

    /// <summary>Parses <paramref name="text"/>; errors name <paramref name="rule"/> and list what is accepted.</summary>
    public static AlertCondition Parse(string text, string rule)
    {
        foreach (var op in Ops)
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }
            var metric = text[..at].Trim();
            var number = text[(at + op.Length)..].Trim();
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
            {
                throw KilnException.Invalid($"Rule '{rule}': '{number}' in 'when: {text}' is not a number.");
            }
            var dot = metric.IndexOf('.', StringComparison.Ordinal);
            var known = dot < 0 ? Plain.Contains(metric) : Prefixed.Contains(metric[..dot]) && dot < metric.Length - 1;
            return known ? new AlertCondition(metric, op, threshold) : throw KilnException.Invalid(
                $"Rule '{rule}': unknown metric '{metric}'. Use one of {string.Join(", ", Plain)}, or {string.Join(", ", Prefixed.Select(p => p + ".NAME"))}.");
        }
        throw KilnException.Invalid($"Rule '{rule}': 'when: {text}' must read METRIC OP NUMBER with OP one of >, >=, <, <=, e.g. drift_share >= 0.3.");
    }

    /// <summary>The metric's value in <paramref name="snapshot"/>, or null when the window has none.</summary>
    public double? Value(MonitorSnapshot snapshot)
    {
        var dot = Metric.IndexOf('.', StringComparison.Ordinal);
        var (kind, name) = dot < 0 ? (Metric, "") : (Metric[..dot], Metric[(dot + 1)..]);
        var p = snapshot.Performance;
        var records = snapshot.Drift.Rows;
        return kind switch
        {
            "drift_share" => records == 0 ? null : snapshot.Drift.Report.DriftedShare,
            "dataset_drift" => records == 0 ? null : snapshot.Drift.Report.DatasetDrifted ? 1 : 0,
            "prediction_drift" => snapshot.PredictionDrift?.Score,
            "prediction_drifted" => snapshot.PredictionDrift is { } pd ? (pd.Drifted ? 1 : 0) : null,
            "quality_issues" => records == 0 ? null : snapshot.Quality.Count(q => q.HasIssue),
            "rows" => records,
            "latency_p95_ms" => snapshot.LatencyP95Ms,
            "error_rate" => snapshot.ErrorRate,
            "latency_p50_ms" => snapshot.LatencyP50Ms,
            "mean_prediction" => p.MeanPrediction,
            "drift" => records == 0 ? null : snapshot.Drift.Report.Columns.FirstOrDefault(c => c.Column == name)?.Score,
            "drifted" => records == 0 ? null : snapshot.Drift.Report.Columns.FirstOrDefault(c => c.Column == name) is { } c ? (c.Drifted ? 1 : 0) : null,
            "missing" => records == 0 ? null : snapshot.Quality.FirstOrDefault(q => q.Feature == name)?.MissingShare,
            "out_of_range" => records == 0 ? null : snapshot.Quality.FirstOrDefault(q => q.Feature == name)?.OutOfRangeShare,
            "unseen" => records == 0 ? null : snapshot.Quality.FirstOrDefault(q => q.Feature == name)?.UnseenShare,
            "realised" => p.Realised.TryGetValue(name, out var r) ? r : null,
            "estimated" => p.Estimated.TryGetValue(name, out var e) ? e : null,
            "baseline" => p.Baseline.TryGetValue(name, out var b) ? b : null,
            "drop" => p.Baseline.TryGetValue(name, out var basis) && (p.Labelled > 0 ? p.Realised : p.Estimated).TryGetValue(name, out var now) ? basis - now : null,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="value"/> breaches the condition.</summary>
    public bool Breaches(double? value) => value is { } v && !double.IsNaN(v) && Op switch
    {
        ">" => v > Threshold,
        ">=" => v >= Threshold,
        "<" => v < Threshold,
        _ => v <= Threshold,
    };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric} {Op} {Threshold}");
}
