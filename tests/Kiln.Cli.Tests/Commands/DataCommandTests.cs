namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln data</c>: add, re-add unchanged, list, versions, show, get, and the errors a user meets.</summary>
public sealed class DataCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_csv_is_versioned_edited_versioned_again_and_materialised()
    {
        var file = Path.Combine(_cli.Home, "loans.csv");
        await File.WriteAllTextAsync(file, "income,approved\n0.5,1\n");
        var (exit, output, err) = await _cli.RunAsync("data", "add", "loans", file, "-m", "january");
        Assert.True(exit == 0, err);
        Assert.Contains("Added loans version blake3:", output);
        (exit, output, _) = await _cli.RunAsync("data", "add", "loans", file);
        Assert.Contains("already has this content", output);
        await File.AppendAllTextAsync(file, "0.1,0\n");
        (exit, output, err) = await _cli.RunAsync("data", "add", "loans", file, "-m", "february");
        Assert.True(exit == 0, err);

        (_, output, _) = await _cli.RunAsync("data", "versions", "loans", "--output", "csv");
        var lines = output.Trim().Split('\n');
        Assert.Equal(3, lines.Length); // header + two versions
        Assert.EndsWith(",february,", lines[1].Trim()); // no tags
        (_, output, _) = await _cli.RunAsync("data", "list", "--output", "csv");
        Assert.Contains("loans,2,blake3:", output);

        var target = Path.Combine(_cli.Home, "restored");
        (exit, output, err) = await _cli.RunAsync("data", "get", "loans", lines[2].Split(',')[0], "--out", target);
        Assert.True(exit == 0, err);
        Assert.Equal("income,approved\n0.5,1\n", await File.ReadAllTextAsync(Path.Combine(target, "loans.csv")));

        (exit, _, err) = await _cli.RunAsync("data", "show", "nope");
        Assert.Equal(3, exit);
        Assert.Contains("No dataset named 'nope'", err);
        (exit, _, err) = await _cli.RunAsync("data", "add", "loans", Path.Combine(_cli.Home, "missing.csv"));
        Assert.Equal(3, exit);
        Assert.Contains("No file or folder", err);
    }

    [Fact]
    public async Task Train_reads_datasets_latest_records_the_version_and_lineage_finds_the_run()
    {
        var train = Kiln.Testing.LoanData.Write(_cli.Home, "loans.csv", 400, 9);
        var (exit, _, err) = await _cli.RunAsync("data", "add", "loans", train, "-m", "v1");
        Assert.True(exit == 0, err);
        string output;
        (exit, output, err) = await _cli.RunAsync("train", "--data", "datasets:/loans@latest", "--target", "approved", "--param", "rounds=5");
        Assert.True(exit == 0, err);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];

        (_, output, _) = await _cli.RunAsync("runs", "show", runId, "--output", "json");
        Assert.Contains("\"source_type\":\"kiln-dataset\"", output.Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("datasets:/loans/blake3:", output);

        (exit, output, err) = await _cli.RunAsync("data", "lineage", "loans", "--output", "csv");
        Assert.True(exit == 0, err);
        Assert.Contains($"{runId},", output);
        Assert.Contains(",training,FINISHED,", output);

        // a version holding several files must name one
        var folder = Path.Combine(_cli.Home, "two");
        Directory.CreateDirectory(folder);
        File.Copy(train, Path.Combine(folder, "a.csv"));
        File.Copy(train, Path.Combine(folder, "b.csv"));
        await _cli.RunAsync("data", "add", "pair", folder);
        (exit, _, err) = await _cli.RunAsync("train", "--data", "datasets:/pair@latest", "--target", "approved");
        Assert.Equal(1, exit);
        Assert.Contains("holds 2 files: name one", err);
        (exit, _, err) = await _cli.RunAsync("train", "--data", "datasets:/pair@latest/b.csv", "--target", "approved", "--param", "rounds=3");
        Assert.True(exit == 0, err);
    }
}
