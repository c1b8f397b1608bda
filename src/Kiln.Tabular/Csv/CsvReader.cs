using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Reads UTF-8 CSV (RFC 4180, header row required) into a <see cref="Table"/>, parsing chunks of the file in parallel.</summary>
/// <remarks>Column kinds are inferred unless <see cref="CsvReadOptions.ColumnTypes"/> sets them: a column is numeric when
/// every non-missing value parses as an invariant-culture number, else categorical when it has few distinct values
/// (<see cref="CsvReadOptions.MaxCategoricalCardinality"/>, <see cref="CsvReadOptions.MaxCategoricalFraction"/>), else text.
/// Blank lines are skipped. A malformed row fails the whole read with a <see cref="CsvFormatException"/>; rows are never dropped.
/// Inputs are limited to 2 GB (one byte array).</remarks>
public static partial class CsvReader
{
    private const string MemorySourceName = "<memory>";

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="CsvFormatException">The file is malformed; the message names the file, line and column.</exception>
    public static Table ReadFile(string path, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = File.ReadAllBytes(path);
        return Parse(data, data.Length, path, options, cancellationToken);
    }

    /// <summary>Reads the CSV file at <paramref name="path"/>, reading the bytes asynchronously.</summary>
    /// <exception cref="CsvFormatException">The file is malformed; the message names the file, line and column.</exception>
    public static async Task<Table> ReadFileAsync(string path, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = await File.ReadAllBytesAsync(path, cancellationToken);
        return Parse(data, data.Length, path, options, cancellationToken);
    }

    /// <summary>Reads CSV from <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The UTF-8 CSV bytes.</param>
    /// <param name="sourceName">How error messages name the source, e.g. a file name or URI.</param>
    /// <param name="options">Parsing options; <see cref="CsvReadOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels reading and parsing.</param>
    public static async Task<Table> ReadAsync(Stream stream, string sourceName, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = stream.CanSeek ? new MemoryStream(checked((int)Math.Max(0, stream.Length - stream.Position))) : new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return Parse(buffer.GetBuffer(), (int)buffer.Length, sourceName, options, cancellationToken);
    }

    /// <summary>Parses CSV held in memory as UTF-8 bytes.</summary>
    /// <param name="utf8">The CSV bytes, optionally starting with a UTF-8 byte order mark.</param>
    /// <param name="options">Parsing options; <see cref="CsvReadOptions.Default"/> when null.</param>
    /// <param name="sourceName">How error messages name the source.</param>
    /// <param name="cancellationToken">Cancels parsing.</param>
    public static Table Parse(byte[] utf8, CsvReadOptions? options = null, string sourceName = MemorySourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return Parse(utf8, utf8.Length, sourceName, options, cancellationToken);
    }

    /// <summary>Parses CSV held in a string (convenient for tests and small inputs).</summary>
    public static Table ParseString(string csv, CsvReadOptions? options = null, string sourceName = MemorySourceName)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var data = Encoding.UTF8.GetBytes(csv);
        return Parse(data, data.Length, sourceName, options, CancellationToken.None);
    }
}
