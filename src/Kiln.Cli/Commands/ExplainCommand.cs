using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Engine.Explanations;
using Kiln.Engine.Flavors;
using Kiln.Engine.Scoring;
using Kiln.Engine.Packaging;
using Kiln.Tabular.Csv;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln explain --model URI --data FILE --out FILE [--top K]</c>: per-row contributions, reason codes and global
/// importance, recorded as a run with the SHAP summary and dependence charts.</summary>
internal static class ExplainCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "A Kiln model (trees or linear) or an imported XGBoost/LightGBM model: a package directory, runs:/RUN_ID/model or models:/NAME/VERSION|@ALIAS.", Required = true };
        var data = new Option<string>("--data") { Description = "CSV or Parquet file, or datasets:/NAME/VERSION, of rows to explain.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the rows with contrib_FEATURE, contrib_bias and reason_1…reason_K columns.", Required = true };
        var top = new Option<int>("--top") { Description = "Reason codes per row.", DefaultValueFactory = _ => 3 };
        var experiment = new Option<string>("--experiment") { Description = "The experiment the explanation run is recorded in.", DefaultValueFactory = _ => ExplanationRecorder.DefaultExperiment };
        var noRun = new Option<bool>("--no-run") { Description = "Do not record a run (no charts)." };
        var command = new Command("explain", "Explain predictions: each feature's contribution to each row's score (exact TreeSHAP for trees; they sum to the score with the bias), the top reasons per row (for a declined applicant, what pulled the score down) and each feature's mean |contribution|; recorded as a run with a SHAP summary chart and dependence plots.")
        {
            model, data, output, top, experiment, noRun,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(top) is < 1 or > 20)
            {
                throw KilnException.Invalid($"--top {parse.GetValue(top)}: give 1 to 20 reasons per row.");
            }
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, source) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (directory, temporary) = await kiln.Get<ModelLocator>().ResolveAsync(parse.GetValue(model)!, ct);
            try
            {
                using var predictor = kiln.Get<FlavorCatalog>().Load(directory);
                var trained = ExplainRequest.ModelOf(predictor);
                var input = ScoringInput.Read(dataPath, trained.Schema, new ScoringReadOptions(null, null, false), ct).Table;
                var explanation = await CliConsole.Progress.Status().StartAsync($"Explaining {input.RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows",
                    _ => Task.Run(() => Explainer.Explain(trained, input, parse.GetValue(top), ct), ct));
                await CsvWriter.WriteFileAsync(explanation.Output, parse.GetValue(output)!, null, ct);
                Output.Write(OutputFormat.Table, ["feature", "mean |contribution|"], explanation.Importance.Select(i => (IReadOnlyList<object?>)[i.Feature, i.MeanAbsContribution]));
                CliConsole.Current.MarkupLine($"Explained {input.RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows → {Format.Escape(parse.GetValue(output))} (contributions to the {(trained.Schema.Task == Kiln.Learn.TaskKind.BinaryClassification ? "log-odds" : "raw score")}, bias and reason_1…reason_{parse.GetValue(top)}).");
                if (!parse.GetValue(noRun))
                {
                    var runId = await kiln.Get<ExplanationRecorder>().RecordAsync(parse.GetValue(model)!, trained, dataPath, source, input, explanation, parse.GetValue(experiment)!, ct);
                    CliConsole.Current.MarkupLine($"Recorded as run [bold]{Format.Escape(runId)}[/] in experiment '{Format.Escape(parse.GetValue(experiment))}' (charts/shap_summary.svg, dependence plots).");
                }
                return ExitCodes.Success;
            }
            finally
            {
                if (temporary)
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        });
        return command;
    }
}
