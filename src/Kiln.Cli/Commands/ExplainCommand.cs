using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Engine.Explanations;
using Kiln.Engine.Packaging;
using Kiln.Engine.Scoring;
using Kiln.Tabular.Csv;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln explain --model URI --data FILE --out FILE [--top K]</c>: per-row contributions, reason codes and global importance.</summary>
internal static class ExplainCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "A linear or logistic model: a package directory, runs:/RUN_ID/model or models:/NAME/VERSION|@ALIAS.", Required = true };
        var data = new Option<string>("--data") { Description = "CSV or Parquet file, or datasets:/NAME/VERSION, of rows to explain.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the rows with contrib_FEATURE, contrib_bias and reason_1…reason_K columns.", Required = true };
        var top = new Option<int>("--top") { Description = "Reason codes per row.", DefaultValueFactory = _ => 3 };
        var command = new Command("explain", "Explain predictions: each feature's contribution to each row's score (they sum to it with the bias), the top reasons per row (for a declined applicant, what pulled the score down) and each feature's mean |contribution|. Linear and logistic models so far.")
        {
            model, data, output, top,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(top) is < 1 or > 20)
            {
                throw KilnException.Invalid($"--top {parse.GetValue(top)}: give 1 to 20 reasons per row.");
            }
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, _) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (directory, temporary) = await kiln.Get<ModelLocator>().ResolveAsync(parse.GetValue(model)!, ct);
            try
            {
                Kiln.Learn.TrainedModel trained;
                try
                {
                    trained = ModelPackage.Load(directory);
                }
                catch (Kiln.Learn.LearnException e)
                {
                    throw KilnException.Invalid($"kiln explain explains Kiln's own linear and logistic models; {parse.GetValue(model)} could not be read as one ({e.Message}).");
                }
                var input = ScoringInput.Read(dataPath, trained.Schema, new ScoringReadOptions(null, null, false), ct).Table;
                var explanation = Explainer.Explain(trained, input, parse.GetValue(top), ct);
                var (explained, importance) = (explanation.Output, explanation.Importance);
                await CsvWriter.WriteFileAsync(explained, parse.GetValue(output)!, null, ct);
                Output.Write(OutputFormat.Table, ["feature", "mean |contribution|"], importance.Select(i => (IReadOnlyList<object?>)[i.Feature, i.MeanAbsContribution]));
                CliConsole.Current.MarkupLine($"Explained {input.RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows → {Format.Escape(parse.GetValue(output))} (contributions to the {(trained.Schema.Task == Kiln.Learn.TaskKind.BinaryClassification ? "log-odds" : "prediction")}, bias and reason_1…reason_{parse.GetValue(top)}).");
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
