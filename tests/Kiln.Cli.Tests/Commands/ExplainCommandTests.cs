using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln explain</c> on a tree model: contributions per row, reason codes, and a run with the SHAP charts.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_gbdt_model_is_explained_and_the_run_keeps_the_summary_and_dependence_charts()
    {
        var train = LoanData.Write(_cli.Home, "train.csv", 800, 5);
        var rows = LoanData.Write(_cli.Home, "rows.csv", 100, 6);
        var (exit, output, err) = await _cli.RunAsync("train", "--data", train, "--target", "approved", "--param", "rounds=20");
        Assert.True(exit == 0, err);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
        var explained = Path.Combine(_cli.Home, "explained.csv");
        (exit, output, err) = await _cli.RunAsync("explain", "--model", $"runs:/{runId}/model", "--data", rows, "--out", explained, "--top", "2");
        Assert.True(exit == 0, err);
        Assert.Contains("Explained 100 rows", output);
        var lines = await File.ReadAllLinesAsync(explained);
        var header = lines[0].Split(',');
        Assert.Contains("contrib_income", header);
        Assert.Contains("contrib_region", header);
        Assert.Contains("contrib_bias", header);
        Assert.Equal("reason_2", header[^1]);
        Assert.Equal(101, lines.Length);
        // the run: charts and one metric per feature
        var explainRun = output[(output.IndexOf("Recorded as run ", StringComparison.Ordinal) + 16)..].Split(' ')[0];
        var files = Directory.GetFiles(_cli.Home, "*", SearchOption.AllDirectories).Where(f => f.Contains(explainRun, StringComparison.Ordinal)).ToList();
        var summary = files.Single(f => f.EndsWith("shap_summary.svg", StringComparison.Ordinal));
        Assert.Contains("<circle class=\"dot\"", await File.ReadAllTextAsync(summary));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("shap_dependence_", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("importance.csv", StringComparison.Ordinal));
        (exit, output, err) = await _cli.RunAsync("runs", "show", explainRun);
        Assert.True(exit == 0, err);
        Assert.Contains("mean_abs_contribution/income", output);
    }
}
