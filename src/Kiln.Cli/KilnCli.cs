using System.CommandLine;
using Kiln.Cli.Commands;
using Kiln.Core.Errors;
using Spectre.Console;

namespace Kiln.Cli;

/// <summary>
/// The <c>kiln</c> command line. Exit codes: 0 success, 1 a Kiln error (message on stderr),
/// 2 invalid usage, 3 not found, 130 cancelled.
/// </summary>
public static class KilnCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Kiln: experiment tracking, models and pipelines for .NET — an MLflow-compatible server and toolchain.");
        root.Options.Add(GlobalOptions.Store);
        root.Options.Add(GlobalOptions.Artifacts);
        root.Subcommands.Add(ServerCommand.Build());
        root.Subcommands.Add(ExperimentsCommand.Build());
        root.Subcommands.Add(RunsCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PredictCommand.Build());
        root.Subcommands.Add(TuneCommand.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        var output = console ?? CliConsole.CreateDefault();
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }
            Console.Error.WriteLine("Run 'kiln --help' (or 'kiln <command> --help') for usage.");
            return 2;
        }
        try
        {
            CliConsole.Current = output;
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = Console.Out, Error = Console.Error });
        }
        catch (KilnException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.Code == ErrorCode.ResourceDoesNotExist ? 3 : 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e) when (e is Learn.LearnException or Tabular.Csv.CsvFormatException or Tabular.Columns.ColumnNotFoundException or ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
