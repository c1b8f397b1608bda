using System.CommandLine;
using System.Globalization;
using Kiln.Core.Serving;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Drift;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln monitor status</c> (every deployment in one table) and <c>kiln monitor report</c> (one deployment, HTML and JSON).</summary>
internal static class MonitorStatusCommand
{
    public static Command Status()
    {
        var window = new Option<string>("--window") { Description = "How far back, e.g. 30m, 1h, 24h.", DefaultValueFactory = _ => "1h" };
        var output = Output.CreateOption();
        var command = new Command("status", "Every deployment's monitoring over the window: logged rows, drifted features, data quality, realised and estimated performance.")
        {
            window, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var span = WindowLength.Parse(parse.GetValue(window)!);
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var status = await MonitorStatus.ComputeAsync(kiln.Get<IDeploymentStore>(), kiln.Get<MonitorService>(), span, ct);
            Output.Write(Output.Format(parse, output),
                ["deployment", "route", "rows", "drifted", "dataset_drift", "prediction_drifted", "quality_issues", "labelled", "realised_auc", "estimated_auc", "baseline_auc", "realised_accuracy", "estimated_accuracy", "error"],
                status.Select(s => (IReadOnlyList<object?>)(s.Snapshot is { } m
                    ? [s.Deployment, m.Drift.Route, m.Drift.Rows, $"{m.Drift.Report.Columns.Count(c => c.Drifted)}/{m.Drift.Report.Columns.Count}", m.Drift.Report.DatasetDrifted,
                        m.PredictionDrift?.Drifted, string.Join(",", m.Quality.Where(q => q.HasIssue).Select(q => q.Feature)), m.Performance.Labelled, Metric(m.Performance.Realised, "roc_auc"),
                        Metric(m.Performance.Estimated, "roc_auc"), Metric(m.Performance.Baseline, "roc_auc"), Metric(m.Performance.Realised, "accuracy"),
                        Metric(m.Performance.Estimated, "accuracy"), null]
                    : [s.Deployment, null, null, null, null, null, null, null, null, null, null, null, null, s.Error])));
        });
        return command;
    }

    public static Command Report()
    {
        var deployment = new Option<string>("--deployment") { Description = "The deployment.", Required = true };
        var window = new Option<string>("--window") { Description = "How far back, e.g. 30m, 24h, 7d.", DefaultValueFactory = _ => "24h" };
        var route = new Option<string?>("--route") { Description = "The route whose traffic to report (default: the first answering route)." };
        var file = new Option<string?>("--out") { Description = "The HTML file to write (default: monitor-NAME.html); the snapshot's JSON goes beside it (.json)." };
        var output = Output.CreateOption();
        var command = new Command("report", "A deployment's monitoring report over the window: drift per feature with charts, data quality, performance (realised, estimated, baseline).")
        {
            deployment, window, route, file, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(deployment)!;
            var span = WindowLength.Parse(parse.GetValue(window)!);
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var snapshot = await kiln.Get<MonitorService>().SnapshotAsync(name, span, parse.GetValue(route), null, ct);
            var path = parse.GetValue(file) ?? $"monitor-{name}.html";
            var title = $"Monitoring of {name} (route {snapshot.Drift.Route}, {snapshot.Drift.Rows:N0} logged rows over {parse.GetValue(window)}) against {snapshot.Drift.Model}";
            var alerts = await kiln.Get<Kiln.Core.Monitoring.IAlertStore>().ListAsync(null, name, 500, ct);
            await File.WriteAllTextAsync(path, MonitorReportHtml.Render(snapshot, title, alerts), ct);
            // the same snapshot as JSON beside it (what GET /api/kiln/deployments/NAME/monitor answers)
            var jsonPath = Path.ChangeExtension(path, ".json");
            await using (var stream = File.Create(jsonPath))
            await using (var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                Kiln.Server.Monitoring.MonitorJson.WriteSnapshot(json, snapshot);
                json.WriteEndObject();
            }
            var format = Output.Format(parse, output);
            var p = snapshot.Performance;
            Output.Write(format, ["section", "name", "value"],
                snapshot.Drift.Report.Columns.Select(c => (IReadOnlyList<object?>)["drift", c.Column, c.Drifted ? $"drifted ({c.Method.Name()} {c.Score:0.####})" : "ok"])
                    .Concat(snapshot.Quality.Where(q => q.HasIssue).Select(q => (IReadOnlyList<object?>)["quality", q.Feature,
                        string.Create(CultureInfo.InvariantCulture, $"missing {q.MissingShare:0.##%}, out of range {q.OutOfRangeShare:0.##%}, unseen {q.UnseenShare:0.##%}")]))
                    .Concat(p.Realised.Select(m => (IReadOnlyList<object?>)["realised", m.Key, m.Value]))
                    .Concat(p.Estimated.Select(m => (IReadOnlyList<object?>)["estimated", m.Key, m.Value]))
                    .Concat(p.Baseline.Where(b => p.Estimated.ContainsKey(b.Key) || p.Realised.ContainsKey(b.Key)).Select(m => (IReadOnlyList<object?>)["baseline", m.Key, m.Value])));
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine(Format.Escape(title));
                CliConsole.Current.MarkupLine($"Report: {Format.Escape(path)} (and {Format.Escape(jsonPath)})");
            }
        });
        return command;
    }

    private static double? Metric(IReadOnlyDictionary<string, double> metrics, string key) => metrics.TryGetValue(key, out var v) ? Math.Round(v, 4) : null;
}
