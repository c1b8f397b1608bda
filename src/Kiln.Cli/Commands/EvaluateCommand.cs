using System.CommandLine;
using Kiln.Engine.Evaluation;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln evaluate MODEL --data FILE|datasets:/… [--slice COLUMN]…</c>.</summary>
internal static class EvaluateCommand
{
    public static Command Build()
    {
        var model = new Argument<string>("model") { Description = "The model: models:/NAME/VERSION, models:/NAME@ALIAS, runs:/RUN_ID/model or a package folder." };
        var data = new Option<string>("--data") { Description = "Labelled data the model did not train on: a CSV or Parquet file, or datasets:/NAME/VERSION (datasets:/NAME@latest).", Required = true };
        var slices = new Option<string[]>("--slice", "--sensitive")
        {
            Description = "A column to compute metrics per value of (quartiles for numbers); repeatable. For a binary model also fairness across its groups: selection rate, TPR, FPR and calibration per group, demographic parity difference and ratio (four-fifths rule), equal opportunity and equalized odds differences.",
            AllowMultipleArgumentsPerToken = true,
        };
        var experiment = new Option<string>("--experiment") { Description = "The experiment the evaluation run goes to.", DefaultValueFactory = _ => "Evaluations" };
        var weight = new Option<string?>("--weight") { Description = "A numeric column of row weights: the overall metrics are weighted (weight_sum is logged); slices and fairness are not." };
        var report = new Option<string?>("--report") { Description = "Also write the HTML report here (it is always stored with the run)." };
        var output = Output.CreateOption();
        var command = new Command("evaluate", "Evaluate a model on unseen data: the task's metrics overall and per slice, charts and an HTML report, recorded as a run linked to the model version and the data.")
        {
            model, data, slices, experiment, report, output, weight,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (path, source) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var result = await kiln.Get<EvaluationService>().EvaluateAsync(
                new EvaluationRequest(parse.GetValue(model)!, path, source, parse.GetValue(slices) ?? [], parse.GetValue(experiment)!, parse.GetValue(weight)),
                new Progress<string>(message => CliConsole.Progress.MarkupLine($"[grey]{Format.Escape(message)}[/]")), ct);
            if (parse.GetValue(report) is { } file)
            {
                await File.WriteAllTextAsync(file, result.Report, ct);
            }
            Write(Output.Format(parse, output), result);
            if (Output.Format(parse, output) == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"Run [bold]{result.RunId}[/]: charts under charts/, the report at evaluation/report.html{(parse.GetValue(report) is { } f ? " and " + Format.Escape(f) : "")}.");
            }
            return 0;
        });
        return command;
    }

    private static void Write(OutputFormat format, EvaluationResult result)
    {
        if (format == OutputFormat.Table)
        {
            // overall metrics, then one row per slice with a column per metric: read across to compare slices
            Output.Write(format, ["metric", "value"], result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (IReadOnlyList<object?>)[m.Key, m.Value]));
            if (result.Slices.Count > 0)
            {
                var names = result.Slices.SelectMany(s => s.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
                Output.Write(format, ["slice", "rows", .. names],
                    result.Slices.Select(s => (IReadOnlyList<object?>)[$"{s.Column} = {s.Value}", s.Rows, .. names.Select(n => s.Metrics.TryGetValue(n, out var v) ? (object?)v : null)])
                        .Append(["largest gap", null, .. names.Select(n => result.SliceGaps.TryGetValue(n, out var g) ? (object?)g : null)]));
            }
            if (result.Fairness is { Count: > 0 } fairness)
            {
                Output.Write(format, ["sensitive column", "demographic parity difference", "demographic parity ratio", "four-fifths rule", "equal opportunity difference", "equalized odds difference", "calibration gap"],
                    fairness.Select(f => (IReadOnlyList<object?>)[f.Column, f.DemographicParityDifference, f.DemographicParityRatio, f.FourFifths ? "holds" : "FAILS",
                        f.EqualOpportunityDifference, f.EqualizedOddsDifference, f.CalibrationGap]));
            }
            return;
        }
        var rows = result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (IReadOnlyList<object?>)["(all)", "", result.Rows, m.Key, m.Value])
            .Concat(result.Slices.SelectMany(s => s.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (IReadOnlyList<object?>)[s.Column, s.Value, s.Rows, m.Key, m.Value])))
            .Concat(result.SliceGaps.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (IReadOnlyList<object?>)["(largest slice gap)", "", null, g.Key, g.Value]))
            .Concat((result.Fairness ?? []).SelectMany(f => new (string, double)[]
            {
                ("demographic_parity_difference", f.DemographicParityDifference), ("demographic_parity_ratio", f.DemographicParityRatio),
                ("equal_opportunity_difference", f.EqualOpportunityDifference), ("equalized_odds_difference", f.EqualizedOddsDifference), ("calibration_gap", f.CalibrationGap),
            }.Select(m => (IReadOnlyList<object?>)["(fairness)", f.Column, null, m.Item1, m.Item2])));
        Output.Write(format, ["slice", "slice_value", "rows", "metric", "value"], rows);
    }
}
