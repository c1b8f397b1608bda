using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>The console commands write to (a test can substitute a recording one).</summary>
internal static class CliConsole
{
    public static IAnsiConsole Current { get; set; } = AnsiConsole.Console;

    /// <summary>The process's console: styled on a terminal; plain text without escape codes or line wrapping when output
    /// goes to a file or a pipe, or when NO_COLOR is set (https://no-color.org), so scripts can read it.</summary>
    public static IAnsiConsole CreateDefault()
    {
        var redirected = Console.IsOutputRedirected;
        var plain = redirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
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
