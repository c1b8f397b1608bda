using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Engine.Training;
using Kiln.Hosting;
using Kiln.Learn;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln train</c>: fits a built-in learner on a CSV as a tracked run.</summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var data = new Option<string>("--data") { Description = "Training CSV (header row required).", Required = true };
        var target = new Option<string>("--target") { Description = "The column to predict.", Required = true };
        var learner = new Option<string>("--learner") { Description = $"Learner: {string.Join(", ", LearnerCatalog.Names)}.", DefaultValueFactory = _ => "gbdt" };
        var parameters = new Option<string[]>("--param") { Description = "Learner option as key=value, e.g. max_depth=6 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var valid = new Option<string?>("--valid") { Description = "Validation CSV: loss curve, early stopping and final metrics." };
        var experiment = new Option<string>("--experiment") { Description = "Experiment name (created when missing).", DefaultValueFactory = _ => "Default" };
        var runName = new Option<string?>("--run-name") { Description = "The run's name." };
        var task = new Option<string?>("--task") { Description = "binary, multiclass or regression (default: inferred from the target)." };
        var columns = new ColumnChoice();
        var (cv, group) = CvOptions();
        var weight = new Option<string?>("--weight")
        {
            Description = "A numeric column of row weights (≥ 0), not a feature: each row counts that many times in the fit, and the metrics are weighted. Combine with --param class_weight=balanced|CLASS:W,… or scale_pos_weight=W.",
        };
        var calibrate = new Option<string?>("--calibrate")
        {
            Description = "Calibrate a binary model's probabilities: platt (a logistic curve on the log-odds) or isotonic (a non-decreasing fit), on --valid or else on a stratified 20% of the training rows held out from the fit; kept in the model and applied by every prediction. The run gets reliability curves before and after (charts/calibration_before.svg, calibration_after.svg) and calibration_brier/log_loss/ece _before/_after.",
        };
        calibrate.AcceptOnlyFromAmong("platt", "isotonic");
        var threshold = new Option<string?>("--threshold")
        {
            Description = "A binary model's decision threshold, chosen on --valid (else the training data) by a rule: f1, precision=0.9 (most recall at that precision), recall=0.8, cost=FP:FN (e.g. cost=1:5), or a probability. Kept in the model: predicted labels, metrics and serving use it.",
        };
        var command = new Command("train", "Train a model on a CSV file and record it as a run: params, loss curve, metrics, charts and the model package.")
        {
            data, target, learner, parameters, valid, experiment, runName, task, cv, group, threshold, calibrate, weight,
        };
        columns.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, dataSource) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (validPath, validSource) = await inputs.ResolveAsync(kiln, parse.GetValue(valid), ct);
            var request = new TrainRequest(dataPath, parse.GetValue(target)!, parse.GetValue(learner)!, ParseParams(parse.GetValue(parameters) ?? []),
                validPath, parse.GetValue(experiment)!, parse.GetValue(runName), parse.GetValue(task), columns.FeaturesOf(parse), columns.DropOf(parse), columns.Format.NaValuesOf(parse), columns.Format.EncodingOf(parse),
                dataSource, validSource, CvFolds(parse, cv, group), parse.GetValue(group), parse.GetValue(threshold), parse.GetValue(calibrate), parse.GetValue(weight));
            var session = kiln.Get<TrainingSession>();
            var console = CliConsole.Current;
            TrainResult? result = null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var timings = new List<(string Stage, TimeSpan Start)>();
            await CliConsole.Progress.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var stage = progress.AddTask("Starting", maxValue: 1);
                    var bar = progress.AddTask("Training", autoStart: false);
                    var stages = new SyncProgress<string>(text =>
                    {
                        stage.Description = Markup.Escape(text);
                        stage.Value = 0;
                        timings.Add((text, clock.Elapsed));
                    });
                    var iterations = new SyncProgress<TrainingProgress>(p =>
                    {
                        if (!bar.IsStarted)
                        {
                            bar.MaxValue = p.TotalIterations;
                            bar.StartTask();
                        }
                        bar.Value = p.Iteration;
                        var loss = p.ValidationLoss is { } v ? $"valid {v:F4}" : double.IsNaN(p.TrainLoss) ? "" : $"train {p.TrainLoss:F4}";
                        bar.Description = $"Training [grey]{loss}[/]";
                    });
                    result = await session.RunAsync(request, stages, iterations, ct);
                    stage.Description = "Done";
                    stage.Value = 1;
                    if (bar.IsStarted)
                    {
                        bar.Value = bar.MaxValue;
                    }
                });
            if (Environment.GetEnvironmentVariable("KILN_PROFILE") is { Length: > 0 })
            {
                // Where the time of a run goes, stage by stage (the fit is one stage; KILN_PROFILE also makes the learner print its phases).
                timings.Add(("(end)", clock.Elapsed));
                for (var i = 0; i + 1 < timings.Count; i++)
                {
                    await Console.Error.WriteLineAsync($"profile: {(timings[i + 1].Start - timings[i].Start).TotalSeconds,7:F2} s  {timings[i].Stage}");
                }
            }
            foreach (var warning in result!.Warnings)
            {
                console.MarkupLine($"[yellow]warning:[/] {Format.Escape(warning)}");
            }
            console.MarkupLine($"Task: [bold]{Format.Escape(result!.Task.Task.ToString())}[/] [grey]({Format.Escape(result.Task.Reason)}; --task overrides)[/]");
            string M(string name) => result.Metrics.TryGetValue(name, out var v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "?";
            if (result.Model.Calibrator is { } calibrator)
            {
                console.MarkupLine($"Calibrated ({calibrator.Method}): Brier {M("calibration_brier_before")} → {M("calibration_brier_after")}, expected calibration error {M("calibration_ece_before")} → {M("calibration_ece_after")} on the calibration rows.");
            }
            if (parse.GetValue(threshold) is { } rule)
            {
                console.MarkupLine($"Decision threshold: [bold]{result.Model.Schema.DecisionThreshold.ToString("G4", CultureInfo.InvariantCulture)}[/] [grey]({Format.Escape(rule)})[/]");
            }
            var table = Output.NewTable().AddColumns("Metric", "Value");
            foreach (var (name, value) in result!.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                table.AddRow(Format.Escape(name), value.ToString("G5", CultureInfo.InvariantCulture));
            }
            console.Write(table);
            if (result.CrossValidation is { } folds)
            {
                var cvTable = Output.NewTable().AddColumns($"Cross-validation ({folds.Folds} folds, {folds.Scheme})", "Mean ± std");
                foreach (var name in folds.Mean.Keys)
                {
                    cvTable.AddRow(Format.Escape(name), CrossValidation.Describe(folds, name));
                }
                console.Write(cvTable);
            }
            var where = kiln.Get<KilnSettings>().TrackingServer is { } server ? $" on {Format.Escape(server.AbsoluteUri)}" : "";
            console.MarkupLine($"Run [bold]{result.RunId}[/] in experiment {result.ExperimentId}{where}: model at [bold]runs:/{result.RunId}/model[/]");
            return 0;
        });
        return command;
    }

    /// <summary><c>--cv K</c> and <c>--group COL</c>, shared by train and tune.</summary>
    internal static (Option<int?> Cv, Option<string?> Group) CvOptions() => (
        new Option<int?>("--cv") { Description = "Also cross-validate with K folds (stratified by the target for classification): per-fold metrics cv_METRIC (step = fold) and cv_METRIC_mean / _std." },
        new Option<string?>("--group") { Description = "With --cv: keep each value of this column in one fold (grouped folds, e.g. one applicant's rows)." });

    /// <summary>The folds asked for, checked: 2 or more, and --group only with --cv.</summary>
    internal static int CvFolds(ParseResult parse, Option<int?> cv, Option<string?> group) => parse.GetValue(cv) switch
    {
        null when parse.GetValue(group) is not null => throw KilnException.Invalid("--group groups the folds of cross-validation: pass --cv K too, e.g. --cv 5 --group applicant_id."),
        null => 0,
        >= 2 and <= 50 and var k => k,
        var k => throw KilnException.Invalid($"--cv {k}: give 2 to 50 folds, e.g. --cv 5."),
    };

    internal static Dictionary<string, string> ParseParams(string[] pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw KilnException.Invalid($"Invalid --param '{pair}': use key=value, e.g. --param max_depth=6.");
            }
            result[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return result;
    }
}
