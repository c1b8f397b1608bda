namespace Kiln.Cli.Tests.Commands;

public sealed class ExperimentsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Create_list_delete_and_restore()
    {
        var (exit, output, _) = await _cli.RunAsync("experiments", "create", "loan-risk");
        Assert.Equal(0, exit);
        Assert.Equal("1", output.Trim());
        (exit, output, _) = await _cli.RunAsync("experiments", "list");
        Assert.Equal(0, exit);
        Assert.Contains("loan-risk", output);
        Assert.Contains("Default", output);
        (exit, _, _) = await _cli.RunAsync("experiments", "delete", "loan-risk");
        Assert.Equal(0, exit);
        (_, output, _) = await _cli.RunAsync("experiments", "list");
        Assert.DoesNotContain("loan-risk", output);
        (_, output, _) = await _cli.RunAsync("experiments", "list", "--view", "deleted");
        Assert.Contains("loan-risk", output);
        (exit, output, _) = await _cli.RunAsync("experiments", "restore", "loan-risk");
        Assert.Equal(0, exit);
        Assert.Contains("Restored experiment 1", output);
        (_, output, _) = await _cli.RunAsync("experiments", "list");
        Assert.Contains("loan-risk", output);
        (exit, _, _) = await _cli.RunAsync("experiments", "restore", "never-was");
        Assert.Equal(3, exit);
    }

    [Fact]
    public async Task Errors_give_messages_and_exit_codes_scripts_can_trust()
    {
        await _cli.RunAsync("experiments", "create", "dup");
        var (exit, _, err) = await _cli.RunAsync("experiments", "create", "dup");
        Assert.Equal(1, exit);
        Assert.Contains("already exists", err);
        (exit, _, err) = await _cli.RunAsync("experiments", "delete", "missing");
        Assert.Equal(3, exit);
        Assert.Contains("missing", err);
        (exit, _, err) = await _cli.RunAsync("experiments", "frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("--help", err);
    }

    [Fact]
    public async Task Help_is_available_everywhere()
    {
        var (exit, output, _) = await _cli.RunAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("server", output);
        (exit, output, _) = await _cli.RunAsync("runs", "compare", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("side by side", output);
    }
}
