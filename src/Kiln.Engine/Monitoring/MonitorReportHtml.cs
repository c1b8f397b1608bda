using System.Globalization;
using System.Net;
using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Engine.Charts;
using Kiln.Engine.Monitoring.Drift;

namespace Kiln.Engine.Monitoring;

/// <summary>
/// <c>kiln monitor report</c>'s self-contained HTML: the drift report (verdict, table, reference-vs-current chart per
/// feature) followed by charts over time (drift share, the most drifted features' scores, estimated and realised
/// performance), the alert timeline, performance (realised, estimated, baseline) and live data quality per feature.
/// </summary>
public static class MonitorReportHtml
{
    /// <summary>Renders <paramref name="snapshot"/> under <paramref name="title"/>.</summary>
    public static string Render(MonitorSnapshot snapshot, string title, IReadOnlyList<Alert>? alerts = null)
    {
        var sections = new StringBuilder();
        History(sections, snapshot);
        Timeline(sections, snapshot, alerts ?? []);
        var p = snapshot.Performance;
        sections.Append("<h2>Performance</h2><p>").Append(p.Labelled.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" of ").Append(snapshot.Drift.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows labelled");
        if (p.MeanPrediction is { } mean)
        {
            sections.Append(CultureInfo.InvariantCulture, $"; mean prediction {mean:0.####}");
        }
        sections.Append('.');
        if (snapshot.PredictionDrift is { } pd)
        {
            sections.Append(CultureInfo.InvariantCulture, $" Predictions against the model's on its training rows: {pd.Method.Name()} {pd.Score:0.####} (threshold {pd.Threshold}), ")
                .Append(pd.Drifted ? "<span class=\"drift\" id=\"prediction-drift\">drifted</span>" : "<span class=\"ok\" id=\"prediction-drift\">no drift</span>").Append('.');
        }
        sections.Append("</p><table id=\"performance\"><tr><th>metric</th><th>realised</th><th>estimated (CBPE)</th><th>baseline (training run)</th></tr>");
        foreach (var metric in p.Realised.Keys.Concat(p.Estimated.Keys).Where(k => !k.EndsWith("_sd", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal))
        {
            sections.Append("<tr><td>").Append(E(metric)).Append("</td>").Append(Cell(p.Realised, metric)).Append(Cell(p.Estimated, metric, p.Estimated))
                .Append(Cell(p.Baseline, metric)).Append("</tr>");
        }
        sections.Append("</table><h2>Data quality</h2><table id=\"quality\"><tr><th>feature</th><th>kind</th><th>missing</th><th>missing in training</th>")
            .Append("<th>out of training range</th><th>unseen categories</th><th></th></tr>");
        foreach (var q in snapshot.Quality)
        {
            sections.Append("<tr><td>").Append(E(q.Feature)).Append("</td><td>").Append(q.Kind).Append("</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{q.MissingShare:0.##%}</td><td class=\"num\">{q.ReferenceMissingShare:0.##%}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{q.OutOfRangeShare:0.##%}</td><td class=\"num\">{q.UnseenShare:0.##%}")
                .Append(q.Unseen.Count > 0 ? " (" + E(string.Join(", ", q.Unseen)) + ")" : "").Append("</td><td>")
                .Append(q.HasIssue ? "<span class=\"drift\">issue</span>" : "<span class=\"ok\">ok</span>").Append("</td></tr>");
        }
        sections.Append("</table>");
        var html = DriftReportHtml.Render(snapshot.Drift.Report, title);
        var end = html.LastIndexOf("</body>", StringComparison.Ordinal);
        return html[..end] + sections + html[end..];
    }

    /// <summary>Drift share, the most drifted features' scores and performance (estimated, realised) bucket by bucket.</summary>
    private static void History(StringBuilder html, MonitorSnapshot snapshot)
    {
        var points = snapshot.History ?? [];
        if (points.Count == 0)
        {
            return;
        }
        var from = snapshot.Drift.From;
        var x = points.Select(p => (p.End - from) / 3_600_000.0).ToList();
        var top = snapshot.Drift.Report.Columns.OrderByDescending(c => c.Drifted).ThenByDescending(c => c.Score / Math.Max(c.Threshold, 1e-12)).Take(5).Select(c => c.Column).ToList();
        html.Append("<h2>Over time</h2><div class=\"charts\" id=\"history\">")
            .Append("<div class=\"chart\">").Append(LineChart.Render("Share of drifted features", "hours into the window", "share",
                [new Series("drifted share", x, [.. points.Select(p => p.DriftedShare)])])).Append("</div>")
            .Append("<div class=\"chart\">").Append(LineChart.Render("Drift score by feature", "hours into the window", "score",
                [.. top.Select(f => new Series(f, x, [.. points.Select(p => p.Scores.GetValueOrDefault(f, double.NaN))]))])).Append("</div>")
            .Append("<div class=\"chart\">").Append(LineChart.Render("Performance", "hours into the window", "value",
                [new Series("estimated accuracy", x, [.. points.Select(p => p.EstimatedAccuracy)]), new Series("realised accuracy", x, [.. points.Select(p => p.RealisedAccuracy)]),
                 new Series("estimated roc_auc", x, [.. points.Select(p => p.EstimatedAuc)])])).Append("</div>")
            .Append("</div>");
    }

    /// <summary>The deployment's alerts that fired or resolved in the window, oldest first.</summary>
    private static void Timeline(StringBuilder html, MonitorSnapshot snapshot, IReadOnlyList<Alert> alerts)
    {
        var inWindow = alerts.Where(a => a.Deployment == snapshot.Drift.Deployment && (a.FiredAt >= snapshot.Drift.From || (a.ResolvedAt ?? long.MaxValue) >= snapshot.Drift.From))
            .OrderBy(a => a.FiredAt).ToList();
        html.Append("<h2>Alerts</h2>");
        if (inWindow.Count == 0)
        {
            html.Append("<p id=\"alerts\">No alerts in the window.</p>");
            return;
        }
        html.Append("<table id=\"alerts\"><tr><th>fired</th><th>resolved</th><th>state</th><th>severity</th><th>rule</th><th>message</th></tr>");
        foreach (var a in inWindow)
        {
            html.Append("<tr><td>").Append(Time(a.FiredAt)).Append("</td><td>").Append(a.ResolvedAt is { } r ? Time(r) : "").Append("</td><td>").Append(E(a.State))
                .Append("</td><td>").Append(E(a.Severity)).Append("</td><td>").Append(E(a.Rule)).Append("</td><td>").Append(E(a.Message)).Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Cell(IReadOnlyDictionary<string, double> metrics, string key, IReadOnlyDictionary<string, double>? withSd = null)
    {
        if (!metrics.TryGetValue(key, out var value))
        {
            return "<td class=\"num\">–</td>";
        }
        var sd = withSd is not null && withSd.TryGetValue(key + "_sd", out var s) ? string.Create(CultureInfo.InvariantCulture, $" ± {s:0.####}") : "";
        return string.Create(CultureInfo.InvariantCulture, $"<td class=\"num\">{value:0.####}{sd}</td>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
