using System.CommandLine;
using System.Globalization;
using Kiln.Core.Audit;
using Kiln.Core.Errors;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln audit [--resource R] [--since T]</c> and <c>kiln audit verify</c>: who changed what, and proof nobody edited it.</summary>
internal static class AuditCommand
{
    public static Command Build()
    {
        var resource = new Option<string?>("--resource") { Description = "Only this resource and what is under it, e.g. models/loans, datasets/applicants, experiments/3." };
        var since = new Option<string?>("--since") { Description = "Only changes at or after this time (ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00Z)." };
        var limit = new Option<int>("--limit") { Description = "At most this many entries.", DefaultValueFactory = _ => 1000 };
        var output = Output.CreateOption();
        var command = new Command("audit", "The audit log: every change to the registry, datasets and experiments (who, when, what, before → after), append-only and hash-chained.")
        {
            resource, since, limit, output,
        };
        command.Subcommands.Add(Verify());
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            long? from = null;
            if (parse.GetValue(since) is { } text)
            {
                from = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment)
                    ? moment.ToUnixTimeMilliseconds()
                    : throw KilnException.Invalid($"Cannot read --since '{text}' as a time: write ISO 8601, e.g. 2026-12-01T09:00Z.");
            }
            var entries = await kiln.Get<IAuditStore>().ListAsync(parse.GetValue(resource), from, parse.GetValue(limit), ct);
            Output.Write(Output.Format(parse, output), ["id", "time", "user", "action", "resource", "before", "after"],
                entries.Select(e => (IReadOnlyList<object?>)[e.Id, Output.Time(e.Time), e.UserId, e.Action, e.Resource, e.Before, e.After]));
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify", "Recompute the audit log's hash chain: names every edited or deleted entry; exit code 4 when the chain is broken.");
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var result = await kiln.Get<IAuditStore>().VerifyAsync(ct);
            foreach (var problem in result.Problems)
            {
                CliConsole.Current.MarkupLine("[red]" + Format.Escape(problem) + "[/]");
            }
            CliConsole.Current.MarkupLine(result.Intact
                ? $"[green]Intact[/]: {result.Entries:N0} entries, head {result.Head}. Keep the head somewhere else to detect a cut-off tail later."
                : $"[red]Broken[/]: {result.Problems.Count} problem(s) in {result.Entries:N0} entries.");
            return result.Intact ? 0 : ExitCodes.CheckFailed;
        });
        return command;
    }
}
