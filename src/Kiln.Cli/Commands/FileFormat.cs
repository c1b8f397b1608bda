using System.CommandLine;

namespace Kiln.Cli.Commands;

/// <summary><c>--na-values</c> and <c>--encoding</c>: how input CSV files are read, shared by <c>train</c>, <c>tune</c> and <c>predict</c>.</summary>
internal sealed class FileFormat
{
    public Option<string[]> NaValues { get; } = new("--na-values")
    {
        Description = "Tokens to read as missing besides empty, NA, N/A, NaN and null, comma-separated (e.g. unknown,n/a).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Encoding { get; } = new("--encoding")
    {
        Description = "The files' encoding: utf-8 (default), latin1 or windows-1252. Invalid UTF-8 is an error naming the line and byte, never replaced.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(NaValues);
        command.Options.Add(Encoding);
    }

    public string? EncodingOf(ParseResult parse) => parse.GetValue(Encoding);

    public IReadOnlyList<string> NaValuesOf(ParseResult parse) => CommaList(parse.GetValue(NaValues));

    /// <summary>Values given comma-separated and/or repeated, trimmed, each once.</summary>
    public static List<string> CommaList(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
