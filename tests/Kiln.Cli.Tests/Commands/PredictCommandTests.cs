using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln predict</c> reads the scoring file by the model's schema: one row works, other columns stay as written.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_one_row_file_scores_and_pass_through_columns_are_copied_as_written()
    {
        var train = LoanData.Write(_cli.Home, "train.csv", 800, 5);
        var (exit, output, err) = await _cli.RunAsync("train", "--data", train, "--target", "approved", "--param", "rounds=10");
        Assert.True(exit == 0, err);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
        var one = Path.Combine(_cli.Home, "one.csv");
        await File.WriteAllTextAsync(one, "applicant,income,debt,region,note\n00042,0.91,0.05,north,1e3\n");
        var scored = Path.Combine(_cli.Home, "scored.csv");
        (exit, _, err) = await _cli.RunAsync("predict", "--model", $"runs:/{runId}/model", "--data", one, "--out", scored);
        Assert.True(exit == 0, err);
        var lines = await File.ReadAllLinesAsync(scored);
        Assert.Equal("applicant,income,debt,region,note,probability,predicted_approved", lines[0]);
        Assert.StartsWith("00042,0.91,0.05,north,1e3,", lines[1]);
        Assert.EndsWith(",1", lines[1]);

        var bad = Path.Combine(_cli.Home, "bad.csv");
        await File.WriteAllTextAsync(bad, "income,debt,region\n0.5,0.1,north\nplenty,0.2,south\n");
        (exit, _, err) = await _cli.RunAsync("predict", "--model", $"runs:/{runId}/model", "--data", bad, "--out", scored);
        Assert.Equal(1, exit);
        Assert.Contains("line 3", err);
        Assert.Contains("'plenty'", err);
        (exit, output, err) = await _cli.RunAsync("predict", "--model", $"runs:/{runId}/model", "--data", bad, "--out", scored, "--on-bad-value", "missing");
        Assert.True(exit == 0, err);
        Assert.Contains("1 value(s) that were not numbers were scored as missing", output);
        Assert.Equal(3, (await File.ReadAllLinesAsync(scored)).Length);
    }
}
