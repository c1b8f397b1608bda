using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln models</c>: register a trained run's model, move aliases with reasons, read the history, score by <c>models:/</c>.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string> TrainAsync(string train)
    {
        var (exit, output, err) = await _cli.RunAsync("train", "--data", train, "--target", "approved", "--param", "rounds=8");
        Assert.True(exit == 0, err);
        return output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
    }

    [Fact]
    public async Task A_newcomer_registers_two_versions_moves_champion_reads_the_history_and_scores_by_alias()
    {
        var train = LoanData.Write(_cli.Home, "train.csv", 600, 3);
        var first = await TrainAsync(train);
        var second = await TrainAsync(train);

        var (exit, output, err) = await _cli.RunAsync("models", "register", "loans", $"runs:/{first}/model", "-d", "baseline", "-t", "owner=risk", "--alias", "challenger");
        Assert.True(exit == 0, err);
        Assert.Contains("Registered loans version 1", output);
        Assert.Contains("models:/loans/1", output);
        (exit, output, err) = await _cli.RunAsync("models", "register", "loans", $"runs:/{second}/model");
        Assert.True(exit == 0, err);
        Assert.Contains("version 2", output);

        (exit, _, err) = await _cli.RunAsync("models", "alias", "loans", "champion", "1", "--reason", "first model");
        Assert.True(exit == 0, err);
        (exit, output, err) = await _cli.RunAsync("models", "alias", "loans", "champion", "2", "--reason", "beats v1 on AUC");
        Assert.True(exit == 0, err);
        Assert.Contains("(was version 1)", output);

        (exit, output, err) = await _cli.RunAsync("models", "history", "loans", "--alias", "champion", "-o", "json");
        Assert.True(exit == 0, err);
        using (var history = System.Text.Json.JsonDocument.Parse(output))
        {
            var moves = history.RootElement.EnumerateArray().Select(e => (e.GetProperty("version").GetInt32(), e.GetProperty("reason").GetString())).ToList();
            Assert.Equal([(1, "first model"), (2, "beats v1 on AUC")], moves);
        }

        (exit, output, err) = await _cli.RunAsync("models", "show", "loans");
        Assert.True(exit == 0, err);
        Assert.Contains("champion → v2", output);
        Assert.Contains("owner=risk", output);

        var scored = Path.Combine(_cli.Home, "scored.csv");
        (exit, _, err) = await _cli.RunAsync("predict", "--model", "models:/loans@champion", "--data", train, "--out", scored);
        Assert.True(exit == 0, err);
        Assert.Equal(601, (await File.ReadAllLinesAsync(scored)).Length);
        (exit, _, err) = await _cli.RunAsync("predict", "--model", "models:/loans/latest", "--data", train, "--out", scored);
        Assert.True(exit == 0, err);
    }

    [Fact]
    public async Task Bad_input_names_what_was_wrong_and_changes_nothing()
    {
        var train = LoanData.Write(_cli.Home, "train.csv", 300, 4);
        var run = await TrainAsync(train);
        var (exit, _, err) = await _cli.RunAsync("models", "register", "loans", $"runs:/{run}/model", "--alias", "v2");
        Assert.Equal(1, exit);
        Assert.Contains("Version alias name 'v2' is reserved", err);
        (exit, var output, _) = await _cli.RunAsync("models", "list", "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("[]", output.Trim()); // the bad alias was refused before anything was registered

        (exit, _, err) = await _cli.RunAsync("models", "register", "loans", "runs:/../../etc");
        Assert.Equal(1, exit);
        Assert.Contains("Invalid model version source", err);
        (exit, _, _) = await _cli.RunAsync("models", "register", "loans", $"runs:/{run}/model");
        Assert.Equal(0, exit);
        (exit, _, err) = await _cli.RunAsync("models", "alias", "loans", "champion", "7");
        Assert.Equal(3, exit);
        Assert.Contains("Model Version (name=loans, version=7) not found", err);
        (exit, _, err) = await _cli.RunAsync("models", "alias", "loans", "bad alias!", "1");
        Assert.Equal(1, exit);
        Assert.Contains("Invalid alias name", err);
        (exit, _, err) = await _cli.RunAsync("models", "show", "nope");
        Assert.Equal(3, exit);
        Assert.Contains("Registered Model with name=nope not found", err);
        (exit, _, err) = await _cli.RunAsync("models", "delete", "loans");
        Assert.Equal(1, exit);
        Assert.Contains("--yes", err);
        (exit, _, err) = await _cli.RunAsync("models", "delete", "loans", "--yes");
        Assert.True(exit == 0, err);
    }
}
