using System.CommandLine;

namespace Kiln.Cli.Commands;

/// <summary><c>--features</c>, <c>--drop</c> and <c>--na-values</c>, shared by <c>train</c> and <c>tune</c>.</summary>
internal sealed class ColumnChoice
{
    public Option<string[]> Features { get; } = new("--features")
    {
        Description = "The feature columns to use, comma-separated (default: every column but the target). Recorded as a param.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> NaValues { get; } = new("--na-values")
    {
        Description = "Tokens to read as missing besides empty, NA, N/A, NaN and null, comma-separated (e.g. unknown,n/a).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Encoding { get; } = new("--encoding")
    {
        Description = "The files' encoding: utf-8 (default), latin1 or windows-1252. Invalid UTF-8 is an error naming the line and byte, never replaced.",
    };

    public Option<string[]> Drop { get; } = new("--drop")
    {
        Description = "Columns to leave out, comma-separated (e.g. an id column). Recorded as a param.",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Features);
        command.Options.Add(Drop);
        command.Options.Add(NaValues);
        command.Options.Add(Encoding);
    }

    public string? EncodingOf(ParseResult parse) => parse.GetValue(Encoding);

    public IReadOnlyList<string> NaValuesOf(ParseResult parse) => Split(parse.GetValue(NaValues));

    public IReadOnlyList<string> FeaturesOf(ParseResult parse) => Split(parse.GetValue(Features));

    public IReadOnlyList<string> DropOf(ParseResult parse) => Split(parse.GetValue(Drop));

    private static List<string> Split(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
