using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>The consoles commands write to (a test can substitute recording ones).</summary>
internal static class CliConsole
{
    /// <summary>Where a command's results go: standard output.</summary>
    public static IAnsiConsole Current { get; set; } = AnsiConsole.Console;

    /// <summary>Where progress bars and status spinners go: standard error, so that <c>-o json</c> or <c>-o csv</c> piped
    /// into another program is only the results, however long the work takes (a console that is not a terminal prints a
    /// progress bar's milestones as lines).</summary>
    public static IAnsiConsole Progress { get; set; } = CreateDefaultProgress();

    /// <summary>The process's console: styled on a terminal; plain text without escape codes or line wrapping when output
    /// goes to a file or a pipe, or when NO_COLOR is set (https://no-color.org), so scripts can read it.</summary>
    public static IAnsiConsole CreateDefault() => Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>The process's standard error as a console for progress: live on a terminal, plain milestone lines otherwise.</summary>
    public static IAnsiConsole CreateDefaultProgress() => Create(Console.Error, Console.IsErrorRedirected);

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var plain = redirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // a file has no width: lines are not wrapped
            console.Profile.Width = short.MaxValue;
        }
        return console;
    }
}
