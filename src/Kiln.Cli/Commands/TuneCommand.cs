using System.CommandLine;
using System.Globalization;
using Kiln.Engine.Training;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln tune</c>: grid or random hyperparameter search, each trial a child run.</summary>
internal static class TuneCommand
{
    public static Command Build()
    {
        var data = new Option<string>("--data") { Description = "Training CSV.", Required = true };
        var target = new Option<string>("--target") { Description = "The column to predict.", Required = true };
        var learner = new Option<string>("--learner") { Description = $"Learner: {string.Join(", ", LearnerCatalog.Names)}.", DefaultValueFactory = _ => "gbdt" };
        var space = new Option<string[]>("--space") { Description = "A dimension: name=v1,v2,… or (random) name=low:high. Repeatable.", Required = true };
        var fixedParams = new Option<string[]>("--param") { Description = "A fixed learner option, key=value. Repeatable." };
        var strategy = new Option<string>("--strategy") { Description = "grid or random.", DefaultValueFactory = _ => "grid" };
        strategy.AcceptOnlyFromAmong("grid", "random", "halving");
        var trials = new Option<int>("--trials") { Description = "Trials for random search.", DefaultValueFactory = _ => 10 };
        var metric = new Option<string?>("--metric") { Description = "Metric to optimise (default valid_roc_auc, valid_log_loss or valid_rmse by task)." };
        var valid = new Option<string?>("--valid") { Description = "Validation CSV (default: 20% of the training rows held out)." };
        var experiment = new Option<string>("--experiment") { Description = "Experiment name.", DefaultValueFactory = _ => "Default" };
        var task = new Option<string?>("--task") { Description = "binary, multiclass or regression (default: inferred)." };
        var columns = new ColumnChoice();
        var (cv, group) = TrainCommand.CvOptions();
        var weight = new Option<string?>("--weight") { Description = "A numeric column of row weights (not a feature): every trial's fit and metrics are weighted." };
        var command = new Command("tune", "Search hyperparameters: every trial is a child run; the best is tagged kiln.tune.best. With --cv each trial is scored by its cross-validated mean (cv_roc_auc_mean, …).")
        {
            data, target, learner, space, fixedParams, strategy, trials, metric, valid, experiment, task, cv, group, weight,
        };
        columns.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            using var inputs = new DataInputs();
            var (dataPath, dataSource) = await inputs.ResolveAsync(kiln, parse.GetValue(data), ct);
            var (validPath, validSource) = await inputs.ResolveAsync(kiln, parse.GetValue(valid), ct);
            var request = new TrainRequest(dataPath, parse.GetValue(target)!, parse.GetValue(learner)!,
                TrainCommand.ParseParams(parse.GetValue(fixedParams) ?? []), validPath, parse.GetValue(experiment)!, null, parse.GetValue(task), columns.FeaturesOf(parse), columns.DropOf(parse), columns.Format.NaValuesOf(parse), columns.Format.EncodingOf(parse),
                dataSource, validSource, TrainCommand.CvFolds(parse, cv, group), parse.GetValue(group), Weight: parse.GetValue(weight));
            var searchSpace = SearchSpace.Parse(parse.GetValue(space) ?? []);
            SearchResult? result = null;
            await CliConsole.Progress.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask("Trials", maxValue: 1);
                    var report = new SyncProgress<(int Done, int Total, Trial? Last)>(p =>
                    {
                        bar.MaxValue = p.Total;
                        bar.Value = p.Done;
                        bar.Description = $"Trials [grey]last {p.Last?.Score:G4}[/]";
                    });
                    result = await kiln.Get<HyperparameterSearch>().RunAsync(request, searchSpace, parse.GetValue(strategy)!, parse.GetValue(trials), parse.GetValue(metric), report, ct);
                });
            var table = Output.NewTable().AddColumns("Trial", "Params", result!.Metric, "Run ID");
            foreach (var trial in result.Minimize ? result.Trials.OrderBy(t => t.Score) : result.Trials.OrderByDescending(t => t.Score))
            {
                var best = trial == result.Best ? " [green](best)[/]" : "";
                table.AddRow(trial.Number.ToString(CultureInfo.InvariantCulture) + best, Format.Escape(string.Join(" ", trial.Params.Select(p => $"{p.Key}={p.Value}"))),
                    trial.Score.ToString("G5", CultureInfo.InvariantCulture), trial.RunId);
            }
            CliConsole.Current.Write(table);
            CliConsole.Current.MarkupLine($"Parent run [bold]{result.ParentRunId}[/]; best model at [bold]runs:/{result.Best.RunId}/model[/]");
            return 0;
        });
        return command;
    }
}
