using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln evaluate --sensitive</c>: fairness across a sensitive column's groups, in the table and in CSV.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Sensitive_columns_get_per_group_rates_and_a_fairness_summary()
    {
        var train = LoanData.Write(_cli.Home, "train.csv", 1200, 41);
        var holdout = LoanData.Write(_cli.Home, "holdout.csv", 1200, 42);
        var (exit, output, err) = await _cli.RunAsync("train", "--data", train, "--target", "approved", "--param", "rounds=30");
        Assert.True(exit == 0, err);
        var runId = output.Split("Run ")[1].Split(' ')[0].Trim();

        (exit, output, err) = await _cli.RunAsync("evaluate", $"runs:/{runId}/model", "--data", holdout, "--sensitive", "region");
        Assert.True(exit == 0, err);
        Assert.Contains("demographic parity ratio", output);
        Assert.Contains("FAILS", output); // LoanData favours the north: the four-fifths rule does not hold

        (exit, output, _) = await _cli.RunAsync("evaluate", $"runs:/{runId}/model", "--data", holdout, "--sensitive", "region", "-o", "csv");
        Assert.Equal(0, exit);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("region,north,", StringComparison.Ordinal) && l.Contains(",selection_rate,", StringComparison.Ordinal));
        var ratio = output.Split('\n').Single(l => l.StartsWith("(fairness),region,,demographic_parity_ratio,", StringComparison.Ordinal));
        var value = double.Parse(ratio.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(value, 0, 0.8);
    }
}
