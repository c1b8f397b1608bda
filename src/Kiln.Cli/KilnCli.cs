using System.CommandLine;
using Kiln.Cli.Commands;
using Kiln.Core.Errors;
using Spectre.Console;

namespace Kiln.Cli;

/// <summary>
/// The <c>kiln</c> command line. Exit codes (<see cref="ExitCodes"/>): 0 success, 1 a Kiln error (message on stderr)
/// or a bug (one line saying where the trace was written), 2 invalid usage, 3 not found, 130 cancelled.
/// </summary>
public static class KilnCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Kiln: experiment tracking, models and pipelines for .NET — an MLflow-compatible server and toolchain.");
        root.Options.Add(GlobalOptions.Store);
        root.Options.Add(GlobalOptions.Artifacts);
        root.Options.Add(GlobalOptions.TrackingUri);
        root.Subcommands.Add(ServerCommand.Build());
        root.Subcommands.Add(ExperimentsCommand.Build());
        root.Subcommands.Add(RunsCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PredictCommand.Build());
        root.Subcommands.Add(ExplainCommand.Build());
        root.Subcommands.Add(TuneCommand.Build());
        root.Subcommands.Add(DataCommand.Build());
        root.Subcommands.Add(ModelsCommand.Build());
        root.Subcommands.Add(EvaluateCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        root.Subcommands.Add(WebhooksCommand.Build());
        root.Subcommands.Add(DeployCommand.Build());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(FeedbackCommand.Build());
        root.Subcommands.Add(MonitorCommand.Build());
        root.Subcommands.Add(PipelineCommand.Build());
        root.Subcommands.Add(WorkerCommand.Build());
        root.Subcommands.Add(ExampleCommand.Build());
        return root;
    }

    /// <summary>Runs the CLI: results go to <paramref name="console"/> (standard output when null), progress to
    /// <paramref name="progress"/> (standard error when null).</summary>
    public static Task<int> RunAsync(string[] args, IAnsiConsole? console = null, IAnsiConsole? progress = null) => RunAsync(Build(), args, console, progress);

    /// <summary>Runs <paramref name="args"/> against a command tree (tests pass their own) and maps failures to exit codes.</summary>
    internal static async Task<int> RunAsync(RootCommand root, string[] args, IAnsiConsole? console = null, IAnsiConsole? progress = null)
    {
        var output = console ?? CliConsole.CreateDefault();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }
            Console.Error.WriteLine("Run 'kiln --help' (or 'kiln <command> --help') for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            CliConsole.Current = output;
            CliConsole.Progress = progress ?? CliConsole.CreateDefaultProgress();
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = Console.Out, Error = Console.Error });
        }
        catch (KilnException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.Code.ExitCode();
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Cancelled;
        }
        catch (System.Data.Common.DbException e) when (e.IsTransient)
        {
            Console.Error.WriteLine($"error: the store is temporarily unavailable ({e.Message.TrimEnd('.')}); run the command again.");
            return ExitCodes.Error;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(CrashReport.Write(e, args));
            return ExitCodes.Error;
        }
    }
}
