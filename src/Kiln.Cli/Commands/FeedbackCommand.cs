using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Tabular.Csv;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln feedback FILE.csv</c>: ground truth for served predictions, joined by request id.</summary>
internal static class FeedbackCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("file") { Description = "A CSV with columns request_id and label (the Kiln-Request-Id each served answer carried, and what really happened)." };
        var command = new Command("feedback", "Join ground truth to logged predictions by request id (for monitoring's live performance).") { file };
        command.SetAction(async (parse, ct) =>
        {
            var table = CsvReader.ReadFile(parse.GetValue(file)!, new CsvReadOptions
            {
                ColumnTypes = new Dictionary<string, Kiln.Tabular.Columns.ColumnKind> { ["request_id"] = Kiln.Tabular.Columns.ColumnKind.Text, ["label"] = Kiln.Tabular.Columns.ColumnKind.Text },
            }, ct);
            if (!table.ColumnNames.Contains("request_id") || !table.ColumnNames.Contains("label"))
            {
                throw KilnException.Invalid($"{parse.GetValue(file)} needs the columns request_id and label; it has {string.Join(", ", table.ColumnNames)}.");
            }
            var (ids, labels) = (table["request_id"], table["label"]);
            var pairs = Enumerable.Range(0, table.RowCount).Where(r => !ids.IsMissing(r) && !labels.IsMissing(r)).Select(r => (ids.FormatValue(r)!, labels.FormatValue(r)!)).ToList();
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var missing = await kiln.Get<IPredictionLog>().AddLabelsAsync(pairs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ct);
            CliConsole.Current.MarkupLine($"Joined {pairs.Count - missing.Count:N0} label(s) to logged predictions.");
            if (missing.Count > 0)
            {
                CliConsole.Current.MarkupLine($"[yellow]{missing.Count:N0} request id(s) are not in the prediction log[/] (not served, not sampled, or mistyped), e.g. {Format.Escape(string.Join(", ", missing.Take(5)))}.");
            }
            return 0;
        });
        return command;
    }
}
