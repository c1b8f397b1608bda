using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;

namespace Kiln.Engine.Registry;

/// <summary>
/// The model card of a version, in Markdown and self-contained HTML: intended use (the model's and version's
/// descriptions), training data and its lineage (with validation results), training metrics, evaluations with their
/// slices, gate verdicts and alias history.
/// </summary>
public static class ModelCard
{
    /// <summary>The card as Markdown.</summary>
    public static string Markdown(RegisteredModel model, ModelLineage lineage)
    {
        var v = lineage.Version;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Model card: {model.Name} version {v.Version}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Registered {Time(v.CreationTime)} by {Or(v.UserId, "unknown")} from `{v.Source}`.");
        var aliases = model.Aliases.Where(a => a.Value == v.Version).Select(a => a.Key).ToList();
        md.Append(aliases.Count > 0 ? $" Aliases: {string.Join(", ", aliases.Select(a => $"**{a}**"))}.\n\n" : " No alias points at it.\n\n");

        md.Append("## Intended use\n\n");
        var described = new[] { model.Description, v.Description }.Where(d => !string.IsNullOrWhiteSpace(d)).ToList();
        md.Append(described.Count == 0
            ? "_Not described. Set the registered model's description (what it decides, for whom, where it must not be used)._\n\n"
            : string.Concat(described.Select(d => d!.Trim() + "\n\n")));
        if (v.Tags.Count > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"Tags: {string.Join(", ", v.Tags.Select(t => $"`{t.Key}={t.Value}`"))}\n\n");
        }

        md.Append("## Training\n\n");
        if (lineage.SourceRun is { } run)
        {
            var p = run.Data.Params.ToDictionary(x => x.Key, x => x.Value);
            md.Append(CultureInfo.InvariantCulture, $"Run `{run.Info.RunId}` ({run.Info.RunName}, {run.Info.Status}, {Time(run.Info.StartTime)}), learner **{Get(p, "learner")}**, target `{Get(p, "target")}`.\n\n");
            AppendData(md, lineage.Datasets);
            var metrics = run.Data.Metrics.Where(m => !m.Key.EndsWith("_loss", StringComparison.Ordinal) || m.Key.StartsWith("valid", StringComparison.Ordinal)).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
            if (metrics.Count > 0)
            {
                md.Append("| metric (training run) | value |\n| --- | --- |\n");
                foreach (var m in metrics)
                {
                    md.Append(CultureInfo.InvariantCulture, $"| {m.Key} | {N(m.Value)} |\n");
                }
                md.Append('\n');
            }
        }
        else
        {
            md.Append(CultureInfo.InvariantCulture, $"The source run {(v.RunId is null ? "is not recorded" : $"`{v.RunId}` is not in this store")}.\n\n");
        }

        md.Append("## Evaluations\n\n");
        if (lineage.Evaluations.Count == 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"_None yet: run `kiln evaluate models:/{model.Name}/{v.Version} --data …`._\n\n");
        }
        foreach (var (eval, data) in lineage.Evaluations)
        {
            md.Append(CultureInfo.InvariantCulture, $"### Run `{eval.Info.RunId}`, {Time(eval.Info.StartTime)}\n\n");
            AppendData(md, data);
            var overall = eval.Data.Metrics.Where(m => !m.Key.Contains('/', StringComparison.Ordinal)).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
            md.Append("| metric | value |\n| --- | --- |\n");
            foreach (var m in overall)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {m.Key} | {N(m.Value)} |\n");
            }
            md.Append('\n');
            var slices = eval.Data.Metrics.Where(m => m.Key.StartsWith("slice/", StringComparison.Ordinal)).Select(m => (Parts: m.Key.Split('/'), m.Value)).Where(x => x.Parts.Length == 4).ToList();
            if (slices.Count > 0)
            {
                var names = slices.Select(s => s.Parts[3]).Distinct().Where(n => n is "accuracy" or "recall" or "precision" or "roc_auc" or "positive_rate" or "rmse" or "mae").Order(StringComparer.Ordinal).ToList();
                md.Append("| slice | ").Append(string.Join(" | ", names)).Append(" |\n| --- |").Append(string.Concat(names.Select(_ => " --- |"))).Append('\n');
                foreach (var group in slices.GroupBy(s => $"{s.Parts[1]} = {s.Parts[2]}"))
                {
                    md.Append("| ").Append(group.Key).Append(" | ")
                        .Append(string.Join(" | ", names.Select(n => group.FirstOrDefault(s => s.Parts[3] == n) is { Parts: not null } hit ? N(hit.Value) : ""))).Append(" |\n");
                }
                md.Append('\n');
            }
        }

        md.Append("## Gate verdicts\n\n");
        if (lineage.Verdicts.Count == 0)
        {
            md.Append("_None._\n\n");
        }
        foreach (var verdict in lineage.Verdicts)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {Time(verdict.CreatedAt)}: **{(verdict.Passed ? "passed" : "failed")}** for `{verdict.Alias}` against {(verdict.HolderVersion is { } h ? $"version {h}" : "no holder")} (by {verdict.UserId})\n");
            using var doc = JsonDocument.Parse(verdict.ResultJson);
            foreach (var check in doc.RootElement.GetProperty("checks").EnumerateArray())
            {
                md.Append(CultureInfo.InvariantCulture, $"  - `{check.GetProperty("check").GetString()}`: {Num(check, "candidate")}{(check.TryGetProperty("holder", out var h2) && h2.ValueKind == JsonValueKind.Number ? $" vs {N(h2.GetDouble())}" : "")} → {(check.GetProperty("passed").GetBoolean() ? "ok" : "FAILED")}\n");
            }
        }
        md.Append('\n');

        md.Append("## Alias history\n\n");
        if (lineage.AliasMoves.Count == 0)
        {
            md.Append("_No alias has pointed at this version._\n");
        }
        foreach (var e in lineage.AliasMoves)
        {
            var what = e.Version == v.Version ? $"`{e.Alias}` → this version{(e.PreviousVersion is { } p ? $" (from version {p})" : "")}" : $"`{e.Alias}` moved away{(e.Version is { } to ? $" to version {to}" : "")}";
            md.Append(CultureInfo.InvariantCulture, $"- {Time(e.Time)}: {what}, {e.Action} by {e.UserId}{(e.Reason is null ? "" : $": {e.Reason}")}\n");
        }
        return md.ToString();
    }

    /// <summary>The same card as a self-contained HTML page (the Markdown subset the card uses: headings, paragraphs, lists, tables).</summary>
    public static string Html(string markdown, string title)
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>");
        html.Append(WebUtility.HtmlEncode(title)).Append("</title><style>body{font:14px system-ui,sans-serif;margin:24px;max-width:980px;color:#1f2328}")
            .Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 8px}th{background:#f6f8fa}code{background:#f6f8fa;padding:0 3px}</style></head><body>\n");
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#'))
            {
                var level = line.TakeWhile(c => c == '#').Count();
                html.Append(CultureInfo.InvariantCulture, $"<h{level}>{Inline(line[level..].Trim())}</h{level}>\n");
            }
            else if (line.StartsWith('|'))
            {
                html.Append("<table>");
                var header = true;
                for (; i < lines.Length && lines[i].StartsWith('|'); i++)
                {
                    if (lines[i].Replace(" ", "", StringComparison.Ordinal).Trim('|').Split('|').All(c => c == "---"))
                    {
                        continue;
                    }
                    var cells = lines[i].Trim().Trim('|').Split('|').Select(c => Inline(c.Trim()));
                    var tag = header ? "th" : "td";
                    html.Append("<tr>").Append(string.Concat(cells.Select(c => $"<{tag}>{c}</{tag}>"))).Append("</tr>");
                    header = false;
                }
                i--;
                html.Append("</table>\n");
            }
            else if (line.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            {
                html.Append("<ul>");
                for (; i < lines.Length && lines[i].TrimStart().StartsWith("- ", StringComparison.Ordinal); i++)
                {
                    html.Append(lines[i].StartsWith("  ", StringComparison.Ordinal) ? "<li style=\"margin-left:20px\">" : "<li>").Append(Inline(lines[i].TrimStart()[2..])).Append("</li>");
                }
                i--;
                html.Append("</ul>\n");
            }
            else if (line.Trim().Length > 0)
            {
                html.Append("<p>").Append(Inline(line)).Append("</p>\n");
            }
        }
        return html.Append("</body></html>").ToString();
    }

    private static string Inline(string text)
    {
        var encoded = WebUtility.HtmlEncode(text);
        encoded = System.Text.RegularExpressions.Regex.Replace(encoded, @"\*\*(.+?)\*\*", "<strong>$1</strong>");
        encoded = System.Text.RegularExpressions.Regex.Replace(encoded, @"`(.+?)`", "<code>$1</code>");
        return System.Text.RegularExpressions.Regex.Replace(encoded, @"(?<![\w])_(.+?)_(?![\w])", "<em>$1</em>");
    }

    private static void AppendData(StringBuilder md, IReadOnlyList<DatasetLink> data)
    {
        foreach (var d in data)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {(d.Context.Length > 0 ? d.Context : "input")} data: ");
            if (d.Versioned)
            {
                md.Append(CultureInfo.InvariantCulture, $"`datasets:/{d.Name}/{d.Digest}`");
                var last = d.Validations.FirstOrDefault();
                md.Append(last is null ? " (not validated)" : $" (validated {Time(last.CreatedAt)}: {last.Errors} error(s), {last.Warnings} warning(s))");
            }
            else
            {
                md.Append(CultureInfo.InvariantCulture, $"`{d.Name}` (a file, digest `{d.Digest}`, not a versioned dataset)");
            }
            md.Append('\n');
        }
        if (data.Count > 0)
        {
            md.Append('\n');
        }
    }

    private static string Get(Dictionary<string, string> values, string key) => values.TryGetValue(key, out var value) ? value : "?";

    private static string Or(string? text, string fallback) => string.IsNullOrEmpty(text) ? fallback : text;

    private static string Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? N(v.GetDouble()) : "n/a";

    private static string N(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
