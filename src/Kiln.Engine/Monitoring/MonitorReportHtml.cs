using System.Globalization;
using System.Net;
using System.Text;
using Kiln.Engine.Monitoring.Drift;

namespace Kiln.Engine.Monitoring;

/// <summary>
/// <c>kiln monitor report</c>'s self-contained HTML: the drift report (verdict, table, reference-vs-current chart per
/// feature) followed by live data quality per feature and performance (realised, estimated, baseline) side by side.
/// </summary>
public static class MonitorReportHtml
{
    /// <summary>Renders <paramref name="snapshot"/> under <paramref name="title"/>.</summary>
    public static string Render(MonitorSnapshot snapshot, string title)
    {
        var sections = new StringBuilder();
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
