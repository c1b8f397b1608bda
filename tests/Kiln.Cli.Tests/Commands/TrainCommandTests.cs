using System.Globalization;
using System.Text;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln train</c> then <c>kiln predict</c> on small CSV files, through the real CLI.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string WriteCsv(string name, int rows, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("income,region,approved\n");
        for (var i = 0; i < rows; i++)
        {
            var income = rng.NextDouble();
            var region = rng.Next(2) == 0 ? "north" : "south";
            var approved = income + (region == "north" ? 0.2 : 0) > 0.6 ? "yes" : "no";
            sb.Append(CultureInfo.InvariantCulture, $"{income:F4},{region},{approved}\n");
        }
        var path = Path.Combine(_cli.Home, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public async Task Train_records_a_run_and_predict_scores_a_file_from_it()
    {
        var train = WriteCsv("train.csv", 800, 1);
        var valid = WriteCsv("valid.csv", 300, 2);
        var (exit, output, err) = await _cli.RunAsync("train", "--data", train, "--valid", valid, "--target", "approved", "--param", "rounds=20",
            "--experiment", "loans", "--run-name", "first");
        Assert.True(exit == 0, err);
        Assert.Contains("valid_roc_auc", output);
        var runId = output.Split("Run ")[1][..32];

        (exit, output, _) = await _cli.RunAsync("runs", "list", "-e", "loans");
        Assert.Contains("first", output);

        var scored = Path.Combine(_cli.Home, "scored.csv");
        (exit, output, err) = await _cli.RunAsync("predict", "--model", $"runs:/{runId}/model", "--data", valid, "--out", scored);
        Assert.True(exit == 0, err);
        var lines = await File.ReadAllLinesAsync(scored);
        Assert.Equal("income,region,approved,probability,predicted_approved", lines[0]);
        Assert.Equal(301, lines.Length);
        var correct = lines.Skip(1).Count(l => l.Split(',')[2] == l.Split(',')[4]);
        Assert.True(correct > 270, $"{correct}/300 correct");
    }

    [Fact]
    public async Task Tune_runs_every_trial_and_names_the_best()
    {
        var train = WriteCsv("train.csv", 600, 3);
        var (exit, output, err) = await _cli.RunAsync("tune", "--data", train, "--target", "approved", "--space", "max_depth=1,2", "--space", "rounds=5,10",
            "--experiment", "search");
        Assert.True(exit == 0, err);
        Assert.Contains("(best)", output);
        Assert.Contains("valid_roc_auc", output);
        (_, output, _) = await _cli.RunAsync("runs", "list", "-e", "search", "--filter", "tags.kiln.tune.best = 'true'");
        Assert.Contains("trial-", output);
        Assert.Contains("1 run(s)", output);
    }

    [Fact]
    public async Task Bad_input_gives_clear_errors()
    {
        var train = WriteCsv("train.csv", 50, 1);
        var (exit, _, err) = await _cli.RunAsync("train", "--data", train, "--target", "missing_column");
        Assert.Equal(1, exit);
        Assert.Contains("missing_column", err);
        (exit, _, err) = await _cli.RunAsync("train", "--data", train, "--target", "approved", "--param", "depth");
        Assert.Equal(1, exit);
        Assert.Contains("key=value", err);
        (exit, _, err) = await _cli.RunAsync("predict", "--model", Path.Combine(_cli.Home, "nope"), "--data", train, "--out", Path.Combine(_cli.Home, "o.csv"));
        Assert.Equal(3, exit);
        Assert.Contains("nope", err);
        (exit, _, err) = await _cli.RunAsync("train", "--data", Path.Combine(_cli.Home, "absent.csv"), "--target", "approved");
        Assert.Equal(3, exit); // not found, as the README's exit codes say
        Assert.Contains("absent.csv", err);
    }

    [Fact]
    public async Task Drop_leaves_columns_out_records_it_and_a_row_counter_is_warned_about()
    {
        var rng = new Random(4);
        var csv = new StringBuilder("row,income,region,approved\n");
        for (var i = 0; i < 400; i++)
        {
            var income = rng.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{i},{income:F4},{(i % 2 == 0 ? "north" : "south")},{(income > 0.5 ? "yes" : "no")}\n");
        }
        var path = Path.Combine(_cli.Home, "rows.csv");
        await File.WriteAllTextAsync(path, csv.ToString());
        var (exit, output, err) = await _cli.RunAsync("train", "--data", path, "--target", "approved", "--param", "rounds=5", "--experiment", "cols");
        Assert.True(exit == 0, err);
        Assert.Contains("'row' counts the rows", output);
        Assert.Contains("--drop row", output);
        Assert.Contains("Task: BinaryClassification", output);
        (exit, output, err) = await _cli.RunAsync("train", "--data", path, "--target", "approved", "--param", "rounds=5", "--experiment", "cols", "--drop", "row");
        Assert.True(exit == 0, err);
        Assert.DoesNotContain("counts the rows", output);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
        (_, output, _) = await _cli.RunAsync("runs", "show", runId);
        Assert.Contains("drop", output);
        (exit, _, err) = await _cli.RunAsync("train", "--data", path, "--target", "approved", "--drop", "nope");
        Assert.Equal(1, exit);
        Assert.Contains("'nope'", err);
    }

    [Fact]
    public async Task Cv_prints_each_metric_mean_and_spread_and_group_needs_cv()
    {
        var data = Kiln.Testing.LoanData.Write(_cli.Home, "cv.csv", 500, 9);
        var (exit, output, err) = await _cli.RunAsync("train", "--data", data, "--target", "approved", "--param", "rounds=10", "--cv", "3");
        Assert.True(exit == 0, err);
        Assert.Contains("Cross-validation (3 folds, stratified)", output);
        Assert.Matches(@"roc_auc\s*\|\s*0\.\d+ ± 0\.\d+", output);

        (exit, _, err) = await _cli.RunAsync("train", "--data", data, "--target", "approved", "--group", "region");
        Assert.Equal(1, exit);
        Assert.Contains("pass --cv K too", err);
        (exit, _, err) = await _cli.RunAsync("train", "--data", data, "--target", "approved", "--cv", "1");
        Assert.Equal(1, exit);
        Assert.Contains("give 2 to 50 folds", err);
    }
}
