using System.Globalization;
using System.Net;
using System.Text;

namespace Kiln.Engine.Evaluation;

/// <summary>The self-contained HTML report of an evaluation: metrics, slices with their gaps, and the charts inline.</summary>
public static class EvaluationReport
{
    /// <summary>Renders the report.</summary>
    public static string Render(EvaluationResult result, string label, IReadOnlyList<(string Name, string Svg)> charts, string data)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Evaluation of ").Append(E(label)).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}")
            .Append("th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}.charts div{max-width:480px}</style></head><body>")
            .Append("<h1>Evaluation of ").Append(E(label)).Append("</h1><p>").Append(E(result.Task.ToString())).Append(" · ")
            .Append(result.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" rows of ").Append(E(data)).Append(" · run ").Append(E(result.RunId)).Append("</p>");
        html.Append("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>");
        foreach (var (name, value) in result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(N(value)).Append("</td></tr>");
        }
        html.Append("</table>");
        if (result.Slices.Count > 0)
        {
            var names = result.Slices.SelectMany(s => s.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            html.Append("<h2>Slices</h2><table><tr><th>column</th><th>value</th><th>rows</th>");
            foreach (var name in names)
            {
                html.Append("<th>").Append(E(name)).Append("</th>");
            }
            html.Append("</tr>");
            foreach (var slice in result.Slices)
            {
                html.Append("<tr><td>").Append(E(slice.Column)).Append(" = ").Append(E(slice.Value)).Append("</td><td></td><td>").Append(slice.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append("</td>");
                foreach (var name in names)
                {
                    html.Append("<td>").Append(slice.Metrics.TryGetValue(name, out var v) ? N(v) : "").Append("</td>");
                }
                html.Append("</tr>");
            }
            html.Append("<tr><th>largest gap</th><th></th><th></th>");
            foreach (var name in names)
            {
                html.Append("<th>").Append(result.SliceGaps.TryGetValue(name, out var gap) ? N(gap) : "").Append("</th>");
            }
            html.Append("</tr></table>");
        }
        if (result.Fairness is { Count: > 0 } fairness)
        {
            html.Append("<h2>Fairness</h2><table id=\"fairness\"><tr><th>sensitive column</th><th>groups</th><th>demographic parity difference</th><th>demographic parity ratio</th>")
                .Append("<th>four-fifths rule</th><th>equal opportunity difference</th><th>equalized odds difference</th><th>calibration gap</th></tr>");
            foreach (var f in fairness)
            {
                html.Append("<tr><td>").Append(E(f.Column)).Append("</td><td>").Append(E(string.Join(", ", f.Groups))).Append("</td><td>").Append(N(f.DemographicParityDifference))
                    .Append("</td><td>").Append(N(f.DemographicParityRatio)).Append("</td><td>").Append(f.FourFifths ? "holds" : "<b>fails</b>").Append("</td><td>")
                    .Append(N(f.EqualOpportunityDifference)).Append("</td><td>").Append(N(f.EqualizedOddsDifference)).Append("</td><td>").Append(N(f.CalibrationGap)).Append("</td></tr>");
            }
            html.Append("</table><p>Selection rate: the share of a group predicted positive; true and false positive rates per group; the calibration gap is the largest difference between a group's mean predicted probability and its observed positive rate.</p>");
        }
        html.Append("<h2>Charts</h2><div class=\"charts\">");
        foreach (var (_, svg) in charts)
        {
            html.Append("<div>").Append(svg).Append("</div>");
        }
        return html.Append("</div></body></html>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(double value) => double.IsFinite(value) ? value.ToString("0.####", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
}
