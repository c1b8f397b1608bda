using System.Globalization;
using System.Net;
using System.Text;

namespace Kiln.Engine.Data.Validation;

/// <summary>A validation result as one self-contained HTML page: the verdict, the anomalies, and for every compared column a bar chart of the reference against the current distribution.</summary>
public static class ValidationReport
{
    internal const string ReferenceColour = "#8a94a6";
    internal const string CurrentColour = "#e8692a";

    /// <summary>The report's HTML.</summary>
    public static string Html(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Validation of ").Append(E(result.Dataset)).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse}td,th{border-bottom:1px solid #dde1e8;padding:4px 10px;text-align:left;vertical-align:top}")
            .Append(".error{color:#b42318;font-weight:600}.warning{color:#b54708;font-weight:600}.ok{color:#067647;font-weight:600}")
            .Append(".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #dde1e8;border-radius:6px;padding:8px}.chart.shifted{border-color:#b42318}")
            .Append(".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}</style></head><body>");
        html.Append("<h1>Validation of ").Append(E(result.Dataset)).Append(' ').Append(E(result.Version)).Append("</h1><p>");
        html.Append(result.Passed ? "<span class=\"ok\">PASSED</span>" : "<span class=\"error\">FAILED</span>")
            .Append($" — {result.Errors} error(s), {result.Warnings} warning(s). Schema {E(result.SchemaId)}");
        if (result.Against is { } against)
        {
            html.Append(", reference version ").Append(E(against));
        }
        html.Append(", ").Append(DateTimeOffset.FromUnixTimeMilliseconds(result.CreatedAt).ToString("u", CultureInfo.InvariantCulture)).Append(".</p>");
        html.Append("<table><tr><th>file</th><th>rows</th><th>reference rows</th></tr>");
        foreach (var f in result.Files)
        {
            html.Append($"<tr><td>{E(f.File)}</td><td>{f.Rows:N0}</td><td>{(f.ReferenceRows is { } r ? r.ToString("N0", CultureInfo.InvariantCulture) : "—")}</td></tr>");
        }
        html.Append("</table><h2>Anomalies</h2>");
        if (result.Anomalies.Count == 0)
        {
            html.Append("<p class=\"ok\">None.</p>");
        }
        else
        {
            html.Append("<table id=\"anomalies\"><tr><th>severity</th><th>type</th><th>column</th><th>evidence</th></tr>");
            foreach (var a in result.Anomalies)
            {
                html.Append($"<tr><td class=\"{a.Severity}\">{a.Severity}</td><td>{E(a.Type)}</td><td>{E(a.Column ?? "")}</td><td>{E(a.Description)}</td></tr>");
            }
            html.Append("</table>");
        }
        if (result.Columns.Count > 0)
        {
            html.Append("<h2>Distributions: reference against current</h2><p class=\"legend\"><span style=\"background:").Append(ReferenceColour)
                .Append("\"></span>reference<span style=\"background:").Append(CurrentColour).Append("\"></span>current</p><div class=\"charts\">");
            foreach (var c in result.Columns)
            {
                html.Append("<div class=\"chart").Append(c.Shifted ? " shifted" : "").Append("\"><b>").Append(E(c.Column)).Append("</b> ")
                    .Append(c.Distribution.Method == "js" ? "JS " : "L∞ ").Append(c.Distribution.Distance.ToString("0.###", CultureInfo.InvariantCulture));
                if (c.Threshold is { } t)
                {
                    html.Append(" / ").Append(t.ToString("0.###", CultureInfo.InvariantCulture));
                }
                html.Append("<br>").Append(Chart(c.Distribution)).Append("</div>");
            }
            html.Append("</div>");
        }
        return html.Append("</body></html>").ToString();
    }

    /// <summary>Paired vertical bars per bin (at most 20 bins or categories), shares on a common scale.</summary>
    internal static string Chart(Distribution d)
    {
        var bins = Math.Min(d.Labels.Count, 20);
        if (bins == 0)
        {
            return "<p>No values on either side.</p>";
        }
        const int height = 120, barWidth = 9, gap = 6, top = 6, labelSpace = 60;
        var width = Math.Max(160, bins * ((2 * barWidth) + gap));
        var max = Math.Max(1e-9, Enumerable.Range(0, bins).Max(i => Math.Max(d.Reference[i], d.Current[i])));
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + top + labelSpace}\" role=\"img\">");
        for (var i = 0; i < bins; i++)
        {
            var x = i * ((2 * barWidth) + gap);
            foreach (var (share, offset, colour) in new[] { (d.Reference[i], 0, ReferenceColour), (d.Current[i], barWidth, CurrentColour) })
            {
                var h = share / max * height;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + offset}\" y=\"{top + height - h:0.#}\" width=\"{barWidth - 1}\" height=\"{h:0.#}\" fill=\"{colour}\"><title>{E(d.Labels[i])}: {share:0.#%}</title></rect>");
            }
            var label = d.Labels[i].Length > 12 ? d.Labels[i][..11] + "…" : d.Labels[i];
            svg.Append(CultureInfo.InvariantCulture, $"<text font-size=\"9\" transform=\"translate({x + barWidth},{top + height + 4}) rotate(60)\">{E(label)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
