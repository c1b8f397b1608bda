using System.Globalization;
using System.Net;
using System.Text;
using Kiln.Engine.Data.Validation;

namespace Kiln.Engine.Monitoring.Drift;

/// <summary>A drift report as one self-contained HTML page: the verdict, a table of every column's method, score and
/// threshold, and per column a chart of the reference against the current distribution (drifted ones first).</summary>
public static class DriftReportHtml
{
    /// <summary>The page for <paramref name="report"/>; <paramref name="title"/> names what was compared.</summary>
    public static string Render(DriftReport report, string title)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse}td,th{border-bottom:1px solid #dde1e8;padding:4px 10px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}")
            .Append(".drift{color:#b42318;font-weight:600}.ok{color:#067647;font-weight:600}")
            .Append(".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #dde1e8;border-radius:6px;padding:8px}.chart.drifted{border-color:#b42318}")
            .Append(".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}</style></head><body>");
        html.Append("<h1>").Append(E(title)).Append("</h1><p id=\"verdict\">");
        var drifted = report.Columns.Count(c => c.Drifted);
        html.Append(report.DatasetDrifted ? "<span class=\"drift\">DATA SET DRIFTED</span>" : "<span class=\"ok\">NO DATA SET DRIFT</span>")
            .Append(CultureInfo.InvariantCulture, $" — {drifted} of {report.Columns.Count} column(s) drifted ({report.DriftedShare:0.#%}; the data set drifts at {report.ShareThreshold:0.#%}).</p>");
        html.Append("<table id=\"columns\"><thead><tr><th>Column</th><th>Kind</th><th>Method</th><th>Score</th><th>Threshold</th><th>Drift</th><th>Reference values</th><th>Current values</th></tr></thead><tbody>");
        foreach (var c in report.Columns.OrderByDescending(c => c.Drifted).ThenBy(c => c.Column, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-column=\"{E(c.Column)}\" data-drifted=\"{(c.Drifted ? "true" : "false")}\"><td>{E(c.Column)}</td><td>{c.Kind}</td><td>{c.Method.Name()}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Score(c.Score)}</td><td class=\"num\">{(c.Method.IsTest() ? "p < " : "≥ ")}{c.Threshold:0.###}</td>")
                .Append(c.Drifted ? "<td class=\"drift\">drift</td>" : "<td class=\"ok\">—</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{c.ReferenceRows:N0}</td><td class=\"num\">{c.CurrentRows:N0}</td></tr>");
        }
        html.Append("</tbody></table>");
        if (report.Skipped.Count > 0)
        {
            html.Append("<p>Not compared: ").Append(string.Join("; ", report.Skipped.Select(s => $"{E(s.Column)} ({E(s.Reason)})"))).Append(".</p>");
        }
        html.Append("<h2>Distributions: reference against current</h2><p class=\"legend\"><span style=\"background:").Append(ValidationReport.ReferenceColour)
            .Append("\"></span>reference<span style=\"background:").Append(ValidationReport.CurrentColour).Append("\"></span>current</p><div class=\"charts\">");
        foreach (var c in report.Columns.OrderByDescending(c => c.Drifted).ThenBy(c => c.Column, StringComparer.Ordinal))
        {
            html.Append("<div class=\"chart").Append(c.Drifted ? " drifted" : "").Append("\"><b>").Append(E(c.Column)).Append("</b> ")
                .Append(CultureInfo.InvariantCulture, $"{c.Method.Name()} {Score(c.Score)}<br>").Append(ValidationReport.Chart(c.Distribution)).Append("</div>");
        }
        return html.Append("</div></body></html>").ToString();
    }

    private static string Score(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString(v != 0 && Math.Abs(v) < 0.001 ? "0.##E+0" : "0.####", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
