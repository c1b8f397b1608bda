using System.CommandLine;
using System.Diagnostics;
using Kiln.Engine.Flavors;
using Kiln.Engine.Packaging;
using Kiln.Engine.Scoring;
using Kiln.Tabular.Csv;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln predict</c>: batch scoring of a file or dataset version with a model of any flavor, recorded as a run.</summary>
internal static class PredictCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "A model package directory, runs:/RUN_ID/model, or a registered version: models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest.", Required = true };
        var data = new Option<string>("--data") { Description = "CSV or Parquet file, or datasets:/NAME/VERSION, to score (the model's feature columns; others are kept).", Required = true };
        var experiment = new Option<string>("--experiment") { Description = "The experiment the scoring run is recorded in.", DefaultValueFactory = _ => BatchScoringRecorder.DefaultExperiment };
        var noRun = new Option<bool>("--no-run") { Description = "Do not record the scoring as a run." };
        var output = new Option<string>("--out") { Description = "Where to write the input with prediction columns added.", Required = true };
        var format = new FileFormat();
        var onBadValue = new Option<string>("--on-bad-value")
        {
            Description = "A value that is not a number in a numeric feature: error (default: fail naming file, line, column and value) or missing (score it as missing and report how many).",
            DefaultValueFactory = _ => "error",
        };
        onBadValue.AcceptOnlyFromAmong("error", "missing");
        var command = new Command("predict", "Score a file or dataset version with a model of any flavor (batch, on every core), recorded as a run.") { model, data, output, onBadValue, experiment, noRun };
        format.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, source) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (directory, temporary) = await kiln.Get<ModelLocator>().ResolveAsync(parse.GetValue(model)!, ct);
            try
            {
                using var trained = kiln.Get<FlavorCatalog>().Load(directory);
                var clock = Stopwatch.StartNew();
                Kiln.Tabular.Table? scoredInput = null;
                var rows = 0;
                var badValues = 0;
                var readOptions = new ScoringReadOptions(format.NaValuesOf(parse), format.EncodingOf(parse), parse.GetValue(onBadValue) == "missing");
                await CliConsole.Progress.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var load = progress.AddTask("Reading " + Markup.Escape(parse.GetValue(data)!), maxValue: 1);
                        var read = await Task.Run(() => ScoringInput.Read(dataPath, trained.Schema, readOptions, ct), ct);
                        var input = read.Table;
                        badValues = read.BadValues;
                        load.Value = 1;
                        rows = input.RowCount;
                        scoredInput = input;
                        var score = progress.AddTask("Scoring", maxValue: Math.Max(1, input.RowCount));
                        var scored = await Task.Run(() => BatchScorer.Score(trained, input, new SyncProgress<int>(done => score.Value = done), ct), ct);
                        var write = progress.AddTask("Writing " + Markup.Escape(parse.GetValue(output)!), maxValue: 1);
                        await CsvWriter.WriteFileAsync(scored, parse.GetValue(output)!, null, ct);
                        write.Value = 1;
                    });
                var seconds = clock.Elapsed.TotalSeconds;
                CliConsole.Current.MarkupLine($"Scored {rows:N0} rows (flavor {Format.Escape(trained.Flavor)}) in {seconds:0.00} s ({rows / Math.Max(seconds, 1e-9):N0} rows/s) → {Format.Escape(parse.GetValue(output))}");
                if (readOptions.BadValuesAsMissing)
                {
                    CliConsole.Current.MarkupLine($"{badValues:N0} value(s) that were not numbers were scored as missing (--on-bad-value missing).");
                }
                if (!parse.GetValue(noRun) && scoredInput is not null)
                {
                    var runId = await kiln.Get<BatchScoringRecorder>().RecordAsync(
                        new BatchScoring(parse.GetValue(model)!, trained, dataPath, source, scoredInput, parse.GetValue(output)!, seconds, badValues), parse.GetValue(experiment)!, ct);
                    CliConsole.Current.MarkupLine($"Recorded as run [bold]{Format.Escape(runId)}[/] in experiment '{Format.Escape(parse.GetValue(experiment))}'.");
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
