using System.CommandLine;
using Kiln.Engine.Packaging;
using Kiln.Engine.Scoring;
using Kiln.Tabular.Csv;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln predict</c>: batch scoring of a CSV with a model package.</summary>
internal static class PredictCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "A model package directory, runs:/RUN_ID/model, or a registered version: models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest.", Required = true };
        var data = new Option<string>("--data") { Description = "CSV to score (the model's feature columns; others are kept).", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the input with prediction columns added.", Required = true };
        var format = new FileFormat();
        var onBadValue = new Option<string>("--on-bad-value")
        {
            Description = "A value that is not a number in a numeric feature: error (default: fail naming file, line, column and value) or missing (score it as missing and report how many).",
            DefaultValueFactory = _ => "error",
        };
        onBadValue.AcceptOnlyFromAmong("error", "missing");
        var command = new Command("predict", "Score a CSV file with a trained model (batch, parallel).") { model, data, output, onBadValue };
        format.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, _) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (directory, temporary) = await kiln.Get<ModelLocator>().ResolveAsync(parse.GetValue(model)!, ct);
            try
            {
                var trained = ModelPackage.Load(directory);
                var rows = 0;
                var badValues = 0;
                var readOptions = new ScoringReadOptions(format.NaValuesOf(parse), format.EncodingOf(parse), parse.GetValue(onBadValue) == "missing");
                await CliConsole.Current.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var load = progress.AddTask("Reading " + Markup.Escape(parse.GetValue(data)!), maxValue: 1);
                        var read = await Task.Run(() => ScoringInput.Read(dataPath, trained.Schema, readOptions, ct), ct);
                        var input = read.Table;
                        badValues = read.BadValues;
                        load.Value = 1;
                        rows = input.RowCount;
                        var score = progress.AddTask("Scoring", maxValue: Math.Max(1, input.RowCount));
                        var scored = await Task.Run(() => BatchScorer.Score(trained, input, new SyncProgress<int>(done => score.Value = done), ct), ct);
                        var write = progress.AddTask("Writing " + Markup.Escape(parse.GetValue(output)!), maxValue: 1);
                        await CsvWriter.WriteFileAsync(scored, parse.GetValue(output)!, null, ct);
                        write.Value = 1;
                    });
                CliConsole.Current.MarkupLine($"Scored {rows:N0} rows with {Format.Escape(trained.LearnerName)} → {Format.Escape(parse.GetValue(output))}");
                if (readOptions.BadValuesAsMissing)
                {
                    CliConsole.Current.MarkupLine($"{badValues:N0} value(s) that were not numbers were scored as missing (--on-bad-value missing).");
                }
                return 0;
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
