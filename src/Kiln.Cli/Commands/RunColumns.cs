using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Cli.Commands;

/// <summary><c>--columns metrics.auc,params.max_depth,tags.team</c>: which of a run's values to show, and reading them.</summary>
internal static class RunColumns
{
    private static readonly string[] Prefixes = ["metrics.", "params.", "tags."];

    public static List<string> Parse(IEnumerable<string> values)
    {
        var columns = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var column in columns)
        {
            if (!Prefixes.Any(p => column.StartsWith(p, StringComparison.Ordinal) && column.Length > p.Length))
            {
                throw KilnException.Invalid($"Invalid --columns entry '{column}': use metrics.KEY, params.KEY or tags.KEY, e.g. --columns metrics.valid_roc_auc,params.max_depth.");
            }
        }
        return columns;
    }

    /// <summary>The run's value for a column: a metric's latest value (a number), a param or a tag (text); null when absent.</summary>
    public static object? Value(Run run, string column)
    {
        var dot = column.IndexOf('.', StringComparison.Ordinal);
        var key = column[(dot + 1)..];
        return column[..dot] switch
        {
            "metrics" => run.Data.Metrics.FirstOrDefault(m => m.Key == key) is { } metric ? metric.Value : null,
            "params" => run.Data.Params.FirstOrDefault(p => p.Key == key)?.Value,
            _ => run.Data.Tags.FirstOrDefault(t => t.Key == key)?.Value,
        };
    }
}
