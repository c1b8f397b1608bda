namespace Kiln.Tabular.Csv;

/// <summary>Writes a <see cref="Table"/> as UTF-8 CSV that <see cref="CsvReader"/> reads back to the same values:
/// invariant culture, shortest round-trip numbers, missing values as empty fields, RFC 4180 quoting where needed.</summary>
/// <remarks>Empty strings and strings equal to a missing-value token (such as <c>NA</c>) read back as missing, and a text
/// column whose values all look like numbers reads back as numeric unless <see cref="CsvReadOptions.ColumnTypes"/> says otherwise.</remarks>
public static class CsvWriter
{
    /// <summary>Writes <paramref name="table"/> to the file at <paramref name="path"/>, replacing it.</summary>
    public static void WriteFile(Table table, string path, CsvWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        Write(table, stream, options, cancellationToken);
    }

    /// <summary>Writes <paramref name="table"/> to the file at <paramref name="path"/>, replacing it, asynchronously.</summary>
    public static async Task WriteFileAsync(Table table, string path, CsvWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
        await using (stream)
        {
            await WriteAsync(table, stream, options, cancellationToken);
        }
    }

    /// <summary>Writes <paramref name="table"/> to <paramref name="stream"/> (left open).</summary>
    public static void Write(Table table, Stream stream, CsvWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var formatter = new CsvRowFormatter(table, options ?? CsvWriteOptions.Default);
        while (formatter.FillBuffer())
        {
            cancellationToken.ThrowIfCancellationRequested();
            stream.Write(formatter.Buffered.Span);
        }
    }

    /// <summary>Writes <paramref name="table"/> to <paramref name="stream"/> (left open) asynchronously.</summary>
    public static async Task WriteAsync(Table table, Stream stream, CsvWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var formatter = new CsvRowFormatter(table, options ?? CsvWriteOptions.Default);
        while (formatter.FillBuffer())
        {
            await stream.WriteAsync(formatter.Buffered, cancellationToken);
        }
    }

    /// <summary>The CSV text of <paramref name="table"/> (convenient for tests and small tables).</summary>
    public static string WriteToString(Table table, CsvWriteOptions? options = null)
    {
        using var stream = new MemoryStream();
        Write(table, stream, options);
        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
