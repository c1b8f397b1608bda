using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Reads UTF-8 CSV (RFC 4180, header row required) into a <see cref="Table"/>, parsing chunks of the input in parallel.</summary>
/// <remarks>Column kinds are inferred unless <see cref="CsvReadOptions.ColumnTypes"/> sets them: a column is numeric when
/// every non-missing value parses as an invariant-culture number, else categorical when it has few distinct values
/// (<see cref="CsvReadOptions.MaxCategoricalCardinality"/>, <see cref="CsvReadOptions.MaxCategoricalFraction"/>), else text.
/// Blank lines are skipped. A malformed row fails the whole read with a <see cref="CsvFormatException"/>; rows are never dropped.
/// Inputs are limited to 2 GB.</remarks>
public static partial class CsvReader
{
    private const string MemorySourceName = "<memory>";

    /// <summary>Reads the CSV file at <paramref name="path"/>. The file is memory-mapped rather than copied, which is the fastest way in.</summary>
    /// <exception cref="CsvFormatException">The file is malformed; the message names the file, line and column.</exception>
    public static Table ReadFile(string path, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var mapped = MappedFile.Open(path);
        return ParseCore(mapped?.Memory ?? ReadOnlyMemory<byte>.Empty, path, options, cancellationToken, mapped);
    }

    /// <summary>Reads the CSV file at <paramref name="path"/>, reading its bytes asynchronously (for callers that must not
    /// block a thread on I/O; <see cref="ReadFile"/> is faster).</summary>
    /// <exception cref="CsvFormatException">The file is malformed; the message names the file, line and column.</exception>
    public static async Task<Table> ReadFileAsync(string path, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = await File.ReadAllBytesAsync(path, cancellationToken);
        return ParseCore(data, path, options, cancellationToken);
    }

    /// <summary>Reads CSV from <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The UTF-8 CSV bytes.</param>
    /// <param name="sourceName">How error messages name the source, e.g. a file name or URI.</param>
    /// <param name="options">Parsing options; <see cref="CsvReadOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels reading and parsing.</param>
    public static async Task<Table> ReadAsync(Stream stream, string sourceName, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return ParseCore(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), sourceName, options, cancellationToken);
    }

    /// <summary>Parses CSV held in memory as UTF-8 bytes, optionally starting with a byte order mark.</summary>
    /// <param name="utf8">The CSV bytes.</param>
    /// <param name="options">Parsing options; <see cref="CsvReadOptions.Default"/> when null.</param>
    /// <param name="sourceName">How error messages name the source.</param>
    /// <param name="cancellationToken">Cancels parsing.</param>
    public static Table Parse(ReadOnlyMemory<byte> utf8, CsvReadOptions? options = null, string sourceName = MemorySourceName, CancellationToken cancellationToken = default) =>
        ParseCore(utf8, sourceName, options, cancellationToken);

    /// <summary>Parses CSV held in a string (convenient for tests and small inputs).</summary>
    public static Table ParseString(string csv, CsvReadOptions? options = null, string sourceName = MemorySourceName)
    {
        ArgumentNullException.ThrowIfNull(csv);
        return ParseCore(Encoding.UTF8.GetBytes(csv), sourceName, options, CancellationToken.None);
    }
}
