using Kiln.Core.Errors;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Training;

/// <summary>How Kiln's commands read CSV: the reader's defaults, plus the user's <c>--na-values</c>.</summary>
public static class ReadOptions
{
    /// <summary>The default options with <paramref name="naValues"/> also read as missing.</summary>
    public static CsvReadOptions WithMissing(IReadOnlyList<string>? naValues)
    {
        if (naValues is not { Count: > 0 })
        {
            return CsvReadOptions.Default;
        }
        foreach (var token in naValues)
        {
            if (token.Any(c => c > 127 || char.IsControl(c)))
            {
                throw KilnException.Invalid($"Invalid --na-values token '{token}': use printable ASCII, e.g. --na-values unknown,n/a.");
            }
        }
        return CsvReadOptions.Default with { MissingValues = [.. CsvReadOptions.Default.MissingValues, .. naValues] };
    }
}
