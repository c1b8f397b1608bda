using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Engine.Tables;
using Kiln.Tabular.Statistics;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln monitor</c>; <c>kiln monitor drift</c>: data drift between a reference and a current data set, for teams that score in batch.</summary>
internal static class MonitorCommand
{
    public static Command Build()
    {
        var command = new Command("monitor", "Monitoring: data drift, data quality and performance of deployments, and drift between data sets.");
        command.Subcommands.Add(Drift());
        command.Subcommands.Add(MonitorStatusCommand.Status());
        command.Subcommands.Add(MonitorStatusCommand.Report());
        command.Subcommands.Add(MonitorAlertsCommand.Alerts());
        command.Subcommands.Add(MonitorAlertsCommand.Rules());
        return command;
    }

    private static Command Drift()
    {
        var reference = new Option<string?>("--reference") { Description = "The reference: a CSV or Parquet file, or datasets:/NAME/VERSION (e.g. the training data; with --deployment, default: the model's training profile)." };
        var current = new Option<string?>("--current") { Description = "The current data: a CSV or Parquet file, or datasets:/NAME/VERSION." };
        var deployment = new Option<string?>("--deployment") { Description = "Instead of --current: a deployment's logged inputs (its prediction log) over --window." };
        var window = new Option<string>("--window") { Description = "With --deployment: how far back, e.g. 30m, 24h, 7d.", DefaultValueFactory = _ => "24h" };
        var route = new Option<string?>("--route") { Description = "With --deployment: the route whose traffic to compare (default: the first answering route)." };
        var method = new Option<string?>("--method") { Description = "One method for every column: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson (default: chosen per column as Evidently does)." };
        var columnMethods = new Option<string[]>("--column-method") { Description = "COLUMN=METHOD for one column (repeatable).", AllowMultipleArgumentsPerToken = false };
        var thresholds = new Option<string[]>("--threshold") { Description = "COLUMN=VALUE, or VALUE for every column: the p-value (tests) or distance at which a column drifts (repeatable).", AllowMultipleArgumentsPerToken = false };
        var share = new Option<double>("--share") { Description = "The share of drifted columns at which the data set drifts.", DefaultValueFactory = _ => 0.5 };
        var columns = new Option<string?>("--columns") { Description = "Only these columns, comma-separated (default: every column both sides have)." };
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report (a chart per column) to this file." };
        var failOnDrift = new Option<bool>("--fail-on-drift") { Description = "Exit with code 4 when the data set drifted (for CI)." };
        var output = Output.CreateOption();
        var command = new Command("drift", "Data drift per column and for the data set: current data, or a deployment's logged inputs, against a reference (Evidently's tests and distances).")
        {
            reference, current, deployment, window, route, method, columnMethods, thresholds, share, columns, report, failOnDrift, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = Options(parse.GetValue(method), parse.GetValue(columnMethods) ?? [], parse.GetValue(thresholds) ?? [], parse.GetValue(share), parse.GetValue(columns));
            var (deploymentName, currentFile, referenceFile) = (parse.GetValue(deployment), parse.GetValue(current), parse.GetValue(reference));
            if ((deploymentName is null) == (currentFile is null))
            {
                throw KilnException.Invalid("Give the current data as --current FILE, or a deployment's logged inputs as --deployment NAME (one of the two).");
            }
            if (deploymentName is null && referenceFile is null)
            {
                throw KilnException.Invalid("--current needs a --reference to compare with (a file or datasets:/NAME/VERSION).");
            }
            var span = deploymentName is null ? TimeSpan.Zero : WindowLength.Parse(parse.GetValue(window)!);
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            TableProfile? referenceProfile = null, currentProfile = null;
            Kiln.Tabular.Table? referenceTable = null;
            string title;
            DriftReport result;
            await CliConsole.Progress.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    if (referenceFile is not null)
                    {
                        var step = progress.AddTask("Profiling the reference", maxValue: 1);
                        var (referencePath, _) = await inputs.ResolveAsync(kiln, referenceFile, ct);
                        referenceTable = await Task.Run(() => TableFiles.Read(referencePath, ct: ct), ct);
                        referenceProfile = await Task.Run(() => TableProfile.Compute(referenceTable), ct);
                        step.Value = 1;
                    }
                    if (currentFile is not null)
                    {
                        var step = progress.AddTask("Profiling the current data", maxValue: 1);
                        var (currentPath, _) = await inputs.ResolveAsync(kiln, currentFile, ct);
                        // the current side is read with the reference's column kinds, so a column is compared as what it was
                        var kinds = referenceTable!.Columns.ToDictionary(c => c.Name, c => c.Kind);
                        currentProfile = await Task.Run(() => TableProfile.Compute(TableFiles.Read(currentPath, kinds, ct: ct)), ct);
                        step.Value = 1;
                    }
                });
            if (deploymentName is not null)
            {
                var live = await kiln.Get<DeploymentDriftService>().ComputeAsync(deploymentName, span, parse.GetValue(route), referenceProfile, options, ct);
                result = live.Report;
                title = $"Drift of {live.Deployment} (route {live.Route}, {live.Rows:N0} logged rows over {parse.GetValue(window)}) against {referenceFile ?? live.Model + "'s training data"}";
                CliConsole.Current.MarkupLine(Format.Escape(title));
            }
            else
            {
                result = DriftCalculator.Compare(referenceProfile!, currentProfile!, options);
                title = $"Drift: {currentFile} against {referenceFile}";
            }
            if (parse.GetValue(report) is { } reportPath)
            {
                await File.WriteAllTextAsync(reportPath, DriftReportHtml.Render(result, title), ct);
            }
            var format = Output.Format(parse, output);
            Output.Write(format, ["column", "kind", "method", "score", "threshold", "drifted", "reference_values", "current_values"],
                result.Columns.Select(c => (IReadOnlyList<object?>)[c.Column, c.Kind, c.Method.Name(), c.Score, c.Threshold, c.Drifted, c.ReferenceRows, c.CurrentRows]));
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine(result.DatasetDrifted
                    ? $"[red]Data set drifted[/]: {result.Columns.Count(c => c.Drifted)} of {result.Columns.Count} columns ({result.DriftedShare:0.#%}, threshold {result.ShareThreshold:0.#%})."
                    : $"[green]No data set drift[/]: {result.Columns.Count(c => c.Drifted)} of {result.Columns.Count} columns drifted ({result.DriftedShare:0.#%}, threshold {result.ShareThreshold:0.#%}).");
                foreach (var (column, why) in result.Skipped)
                {
                    CliConsole.Current.MarkupLine($"Not compared: {Format.Escape(column)} ({Format.Escape(why)}).");
                }
                if (parse.GetValue(report) is { } written)
                {
                    CliConsole.Current.MarkupLine($"Report: {Format.Escape(written)}");
                }
            }
            return result.DatasetDrifted && parse.GetValue(failOnDrift) ? ExitCodes.CheckFailed : 0;
        });
        return command;
    }

    /// <summary>The options from the command line, every value checked before any data is read.</summary>
    internal static DriftOptions Options(string? method, IEnumerable<string> columnMethods, IEnumerable<string> thresholds, double share, string? columns)
    {
        if (share is <= 0 or > 1)
        {
            throw KilnException.Invalid($"--share {share} is not a share: give a number above 0 and at most 1, e.g. 0.5.");
        }
        var methods = new Dictionary<string, DriftMethod>(StringComparer.Ordinal);
        foreach (var item in columnMethods)
        {
            var (column, value) = Pair(item, "--column-method", "income=psi");
            methods[column] = DriftMethods.Parse(value);
        }
        var limits = new Dictionary<string, double>(StringComparer.Ordinal);
        double? all = null;
        foreach (var item in thresholds)
        {
            if (double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var every))
            {
                all = every;
                continue;
            }
            var (column, value) = Pair(item, "--threshold", "income=0.2");
            limits[column] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t
                : throw KilnException.Invalid($"--threshold {item}: '{value}' is not a number.");
        }
        var parsed = method is null ? (DriftMethod?)null : DriftMethods.Parse(method);
        var names = columns?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new DriftOptions(methods, limits, parsed, share, names) { DefaultThreshold = all };
    }

    private static (string Column, string Value) Pair(string text, string option, string example)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (text[..equals], text[(equals + 1)..]) : throw KilnException.Invalid($"{option} '{text}': write COLUMN=VALUE, e.g. {example}.");
    }
}
