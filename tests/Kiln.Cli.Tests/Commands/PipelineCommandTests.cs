using System.Text.Json;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln pipeline validate</c> on real files.</summary>
public sealed class PipelineCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Validate_prints_the_stages_of_a_good_file_and_every_problem_of_a_bad_one_with_exit_code_4()
    {
        var good = Path.Combine(_cli.Home, "train.yaml");
        await File.WriteAllTextAsync(good, """
            params: {rounds: 100}
            steps:
              train: {uses: train, with: {data: train.csv, target: approved, params: {rounds: "${{ params.rounds }}"}}}
              gate: {uses: gate, needs: train, with: {model: "${{ steps.train.outputs.model }}"}}
            """);
        var (exit, output, err) = await _cli.RunAsync("pipeline", "validate", good);
        Assert.True(exit == 0, err);
        Assert.Contains("valid train", output);
        Assert.Contains("2 step(s) in 2 stage(s): train → gate", output);

        var bad = Path.Combine(_cli.Home, "bad.yaml");
        await File.WriteAllTextAsync(bad, "steps:\n  train: {uses: trian, with: {data: x, target: y}}\n  gate: {uses: gate, needs: [train, deploy]}\n");
        (exit, output, err) = await _cli.RunAsync("pipeline", "validate", good, bad);
        Assert.Equal(4, exit);
        Assert.Contains("valid train", output);
        Assert.Contains($"{bad}:2: step 'train': unknown operation 'trian' (did you mean 'train'?)", err);
        Assert.Contains($"{bad}:3: step 'gate': needs 'deploy', which is not a step", err);
        Assert.Contains($"{bad}:3: step 'gate': gate needs with: model", err);

        (exit, output, _) = await _cli.RunAsync("pipeline", "validate", bad, "-o", "json");
        Assert.Equal(4, exit);
        using var doc = JsonDocument.Parse(output);
        var file = doc.RootElement[0];
        Assert.False(file.GetProperty("valid").GetBoolean());
        Assert.Equal(3, file.GetProperty("errors").GetArrayLength());
        Assert.Equal(2, file.GetProperty("errors")[0].GetProperty("line").GetInt32());

        (exit, _, err) = await _cli.RunAsync("pipeline", "validate", Path.Combine(_cli.Home, "none.yaml"));
        Assert.Equal(3, exit);
        Assert.Contains("No pipeline file", err);
    }
}
