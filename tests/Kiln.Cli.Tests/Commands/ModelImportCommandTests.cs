using System.Globalization;
using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln models register NAME FILE</c> for models trained elsewhere, scored with <c>kiln predict</c> (recorded as a run)
/// and evaluated like Kiln's own.</summary>
public sealed class ModelImportCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("xgb_binary.ubj", "xgboost", "expected_xgb_binary.csv")]
    [InlineData("onnx_binary.onnx", "onnx", "expected_onnx_binary.csv")]
    [InlineData("mlnet_binary.zip", "mlnet", "expected_mlnet_binary.csv")]
    public async Task A_model_trained_elsewhere_is_registered_scored_as_a_run_and_evaluated(string file, string flavor, string expected)
    {
        const string features = "x0,x1,x2,x3,x4,x5,x6,x7";
        var (exit, output, err) = await _cli.RunAsync("models", "register", "risk", FlavorFixtures.PathOf(file), "--features", features, "--target", "y_bin",
            "--classes", "0,1", "--alias", "champion");
        Assert.True(exit == 0, err);
        Assert.Contains($"flavor {flavor}", output);
        Assert.Contains("Registered risk version 1 from runs:/", output);

        var scored = Path.Combine(_cli.Home, "scored.csv");
        (exit, output, err) = await _cli.RunAsync("predict", "--model", "models:/risk@champion", "--data", FlavorFixtures.PathOf("flavor_rows.csv"), "--out", scored);
        Assert.True(exit == 0, err);
        Assert.Contains($"(flavor {flavor})", output);
        Assert.Contains("Recorded as run", output);
        var lines = await File.ReadAllLinesAsync(scored);
        var column = Array.IndexOf(lines[0].Split(','), "probability");
        var probabilities = lines.Skip(1).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(FlavorFixtures.MaxDifference(probabilities, FlavorFixtures.Expected(expected)) <= 1e-5);

        (exit, output, err) = await _cli.RunAsync("runs", "list", "-e", "Batch scoring", "-o", "json");
        Assert.True(exit == 0, err);
        Assert.Contains("\"metrics.rows\": 500", output);

        // an imported classifier is evaluated like a trained one (the labels in y_bin of the training file)
        (exit, output, err) = await _cli.RunAsync("evaluate", "models:/risk/1", "--data", FlavorFixtures.PathOf("flavor_train.csv"));
        Assert.True(exit == 0, err);
        Assert.Contains("roc_auc", output);
    }

    [Fact]
    public async Task A_file_kiln_cannot_serve_is_refused_and_nothing_is_registered()
    {
        var notes = Path.Combine(_cli.Home, "notes.txt");
        await File.WriteAllTextAsync(notes, "not a model");

        var (exit, _, err) = await _cli.RunAsync("models", "register", "risk", notes, "--flavor", "lightgbm");
        Assert.Equal(1, exit);
        Assert.Contains("Not a LightGBM text model", err);
        (exit, _, err) = await _cli.RunAsync("models", "register", "risk", FlavorFixtures.PathOf("xgb_binary.json"), "--features", "a,b");
        Assert.Equal(1, exit);
        Assert.Contains("reads 8 features", err);
        (exit, var output, _) = await _cli.RunAsync("models", "list", "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("[]", output.Trim());
    }
}
