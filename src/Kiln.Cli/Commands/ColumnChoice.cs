using System.CommandLine;

namespace Kiln.Cli.Commands;

/// <summary><c>--features</c> and <c>--drop</c>, plus the <see cref="FileFormat"/> options, shared by <c>train</c> and <c>tune</c>.</summary>
internal sealed class ColumnChoice
{
    public Option<string[]> Features { get; } = new("--features")
    {
        Description = "The feature columns to use, comma-separated (default: every column but the target). Recorded as a param.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Drop { get; } = new("--drop")
    {
        Description = "Columns to leave out, comma-separated (e.g. an id column). Recorded as a param.",
        AllowMultipleArgumentsPerToken = false,
    };

    public FileFormat Format { get; } = new();

    public void AddTo(Command command)
    {
        command.Options.Add(Features);
        command.Options.Add(Drop);
        Format.AddTo(command);
    }

    public IReadOnlyList<string> FeaturesOf(ParseResult parse) => FileFormat.CommaList(parse.GetValue(Features));

    public IReadOnlyList<string> DropOf(ParseResult parse) => FileFormat.CommaList(parse.GetValue(Drop));
}
