using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>The console commands write to (a test can substitute a recording one).</summary>
internal static class CliConsole
{
    public static IAnsiConsole Current { get; set; } = AnsiConsole.Console;
}
