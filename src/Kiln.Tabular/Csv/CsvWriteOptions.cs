namespace Kiln.Tabular.Csv;

/// <summary>How <see cref="CsvWriter"/> formats a table. Immutable; derive variants with <c>with</c>.</summary>
public sealed record CsvWriteOptions
{
    /// <summary>The options used when none are given.</summary>
    public static CsvWriteOptions Default { get; } = new();

    /// <summary>The field separator: an ASCII character other than a double quote, CR or LF. Default <c>,</c>.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>The row terminator: <c>"\n"</c> (default) or <c>"\r\n"</c>.</summary>
    public string NewLine { get; init; } = "\n";

    /// <summary>Whether to write the header row of column names. Default true (<see cref="CsvReader"/> requires one).</summary>
    public bool WriteHeader { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option outside its valid range.</summary>
    public void Validate()
    {
        if (Separator > 127 || Separator is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"Separator '{Separator}' is not allowed: use an ASCII character other than a double quote, CR or LF.", nameof(Separator));
        }
        if (NewLine is not ("\n" or "\r\n"))
        {
            throw new ArgumentException("NewLine must be \"\\n\" or \"\\r\\n\".", nameof(NewLine));
        }
    }
}
