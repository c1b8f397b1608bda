using System.CommandLine;
using Kiln.Core.Errors;

namespace Kiln.Cli.Tests;

/// <summary>A bug reaches the user as one line and an exit code, never as a .NET stack trace; expected failures keep their codes.</summary>
public sealed class CrashReportTests
{
    private static async Task<(int Exit, string Err)> RunAsync(Func<Task> action)
    {
        var root = new RootCommand("test");
        var command = new Command("act");
        command.SetAction(async (_, _) =>
        {
            await action();
            return 0;
        });
        root.Subcommands.Add(command);
        var stderr = new StringWriter();
        await CliHarness.ConsoleLock.WaitAsync();
        var original = Console.Error;
        Console.SetError(stderr);
        try
        {
            var exit = await KilnCli.RunAsync(root, ["act"], Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(TextWriter.Null) }));
            return (exit, stderr.ToString());
        }
        finally
        {
            Console.SetError(original);
            CliHarness.ConsoleLock.Release();
        }
    }

    [Fact]
    public async Task An_unexpected_exception_prints_one_line_and_writes_the_trace_to_a_file()
    {
        var (exit, err) = await RunAsync(() => throw new InvalidOperationException("the sky fell\nsecond line"));
        Assert.Equal(ExitCodes.Error, exit);
        var lines = err.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.Contains("InvalidOperationException: the sky fell", lines[0]);
        Assert.Contains("bug", lines[0]);
        Assert.DoesNotContain(" at ", lines[0]);
        var path = lines[0][(lines[0].IndexOf(" is in ", StringComparison.Ordinal) + 7)..lines[0].IndexOf(". Please", StringComparison.Ordinal)];
        Assert.True(File.Exists(path), path);
        var trace = await File.ReadAllTextAsync(path);
        Assert.Contains("the sky fell", trace);
        Assert.Contains("CrashReportTests", trace);
        File.Delete(path);
    }

    [Theory]
    [InlineData(ErrorCode.InvalidParameterValue, ExitCodes.Error)]
    [InlineData(ErrorCode.ResourceDoesNotExist, ExitCodes.NotFound)]
    [InlineData(ErrorCode.InvalidState, ExitCodes.Error)]
    public async Task Kiln_errors_map_to_their_exit_codes(ErrorCode code, int expected)
    {
        var (exit, err) = await RunAsync(() => throw new KilnException(code, "what went wrong and what to do"));
        Assert.Equal(expected, exit);
        Assert.Equal("error: what went wrong and what to do", err.TrimEnd());
    }

    [Fact]
    public async Task Cancellation_exits_130()
    {
        var (exit, _) = await RunAsync(() => throw new OperationCanceledException());
        Assert.Equal(ExitCodes.Cancelled, exit);
    }
}
