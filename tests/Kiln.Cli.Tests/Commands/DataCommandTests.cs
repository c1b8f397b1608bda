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
        Assert.EndsWith(",february", lines[1].Trim());
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
}
