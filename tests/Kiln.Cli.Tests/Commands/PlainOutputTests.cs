using System.Diagnostics;

namespace Kiln.Cli.Tests.Commands;

/// <summary>The real <c>kiln</c> process writing to a pipe: plain text a script can read (no escape codes, no wrapping),
/// even when the terminal type says colours are available.</summary>
public sealed class PlainOutputTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Output_to_a_pipe_has_no_escape_codes_and_no_wrapping()
    {
        var name = "an-experiment-with-a-name-long-enough-to-wrap-an-eighty-column-line-" + new string('x', 40);
        var created = await RunAsync("experiments", "create", name);
        // "Deleted experiment ID ([bold]NAME[/])." is styled on a terminal
        var output = await RunAsync("experiments", "delete", created.Trim());
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains($"({name})", output);
        Assert.Single(output.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_piped_table_has_no_box_drawing_characters()
    {
        await RunAsync("experiments", "create", "boxes");
        var output = await RunAsync("experiments", "list");
        Assert.Contains("boxes", output);
        Assert.DoesNotContain(output, c => c is >= '\u2500' and <= '\u257F');
    }

    private async Task<string> RunAsync(params string[] args)
    {
        var start = _cli.ProcessStart(args);
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLORTERM"] = "truecolor";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
