using System.Diagnostics;
using Kiln.Hosting;
using Spectre.Console;

namespace Kiln.Cli.Tests;

/// <summary>Runs the CLI in-process against a temporary SQLite store and captures what it prints.</summary>
public sealed class CliHarness : IDisposable
{
    /// <summary>Held while a test swaps the process's console and the CLI's current console (both are global).</summary>
    internal static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    public CliHarness()
    {
        Home = Directory.CreateTempSubdirectory("kiln-cli-").FullName;
    }

    public string Home { get; }

    public string Store => "sqlite:///" + Path.Combine(Home, "kiln.db");

    /// <summary>Kiln's services over this harness's store, as the commands open them.</summary>
    public Task<KilnHost> OpenHostAsync() => KilnHost.OpenAsync(KilnSettings.Resolve(Store, Path.Combine(Home, "artifacts"), Home));

    /// <summary>Runs the CLI on this harness's local store.</summary>
    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        RunWithoutStoreAsync([.. args, "--store", Store, "--artifacts", Path.Combine(Home, "artifacts")]);

    /// <summary>Runs the CLI with exactly these arguments (no store options added), e.g. against a tracking server.</summary>
    public async Task<(int Exit, string Out, string Err)> RunWithoutStoreAsync(params string[] args)
    {
        await ConsoleLock.WaitAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var originalErr = Console.Error;
        var originalOut = Console.Out;
        try
        {
            Console.SetError(stderr);
            Console.SetOut(stdout);
            var console = Plain(stdout);
            console.Profile.Width = 200;
            var exit = await KilnCli.RunAsync(args, console, Plain(stderr)); // results on stdout, progress on stderr
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetError(originalErr);
            Console.SetOut(originalOut);
            ConsoleLock.Release();
        }
    }

    /// <summary>A console that records plain text, as a pipe gets it.</summary>
    private static IAnsiConsole Plain(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    /// <summary>A real <c>kiln</c> process (the built kiln.dll) on this harness's store, output redirected.</summary>
    public ProcessStartInfo ProcessStart(params string[] args) =>
        new("dotnet", [Path.Combine(AppContext.BaseDirectory, "kiln.dll"), .. args, "--store", Store, "--artifacts", Path.Combine(Home, "artifacts")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Home, recursive: true);
    }
}
