using System.Text;
using Kiln.Core.Errors;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Training;

/// <summary>How Kiln's commands read data files (CSV, or Parquet by its extension): the reader's defaults plus the user's <c>--na-values</c>, in the file's <c>--encoding</c>.</summary>
public static class ReadOptions
{
    /// <summary>The encodings <c>--encoding</c> takes.</summary>
    public static IReadOnlyList<string> Encodings { get; } = ["utf-8", "latin1", "windows-1252"];

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

    /// <summary>
    /// Reads a CSV file in <paramref name="encoding"/> (null or utf-8: as is, memory-mapped, invalid bytes an error naming
    /// the line and byte; latin1 or windows-1252: transcoded to UTF-8 first).
    /// </summary>
    public static Table ReadCsv(string path, CsvReadOptions options, string? encoding, CancellationToken ct)
    {
        if (Tables.TableFiles.IsParquet(path))
        {
            return Tables.ParquetTableReader.Read(path, options.ColumnTypes, ct);
        }
        var source = Encoding(encoding);
        if (source is null)
        {
            return CsvReader.ReadFile(path, options, ct);
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw KilnException.FileNotFound(path, e);
        }
        return CsvReader.Parse(System.Text.Encoding.UTF8.GetBytes(source.GetString(bytes)), options, path, ct);
    }

    /// <summary>
    /// Reads a CSV file whose columns should be typed as <paramref name="like"/>'s (a validation file as its training file):
    /// a column both have is read as the training column's kind — so three rows of a categorical column stay categorical,
    /// and a value that is not a number in a numeric column is an error naming this file, line and column.
    /// </summary>
    public static Table ReadLike(string path, CsvReadOptions options, string? encoding, Table like, CancellationToken ct)
    {
        var header = Tables.TableFiles.IsParquet(path) ? like.ColumnNames : Header(path, encoding);
        var kinds = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (var name in header.Distinct(StringComparer.Ordinal))
        {
            if (like.TryGetColumn(name, out var column))
            {
                kinds[name] = column.Kind == ColumnKind.Float32 ? ColumnKind.Numeric : column.Kind;
            }
        }
        return ReadCsv(path, options with { ColumnTypes = kinds }, encoding, ct);
    }

    /// <summary>The header's column names (the first record, quotes and all, read by the CSV reader itself), in the file's encoding.</summary>
    public static IReadOnlyList<string> Header(string path, string? encoding)
    {
        var bytes = new List<byte>(256);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var quoted = false;
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                quoted ^= b == '"';
                if (!quoted && b is '\n' or '\r')
                {
                    break;
                }
                bytes.Add((byte)b);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw KilnException.FileNotFound(path, e);
        }
        var line = Encoding(encoding) is { } source ? System.Text.Encoding.UTF8.GetBytes(source.GetString([.. bytes])) : [.. bytes];
        byte[] record = [.. line, (byte)'\n'];
        return CsvReader.Parse(record, CsvReadOptions.Default with { MaxDegreeOfParallelism = 1 }, path).ColumnNames;
    }

    /// <summary>The decoder for an <c>--encoding</c> value; null for UTF-8.</summary>
    private static Encoding? Encoding(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => null,
        "latin1" or "latin-1" or "iso-8859-1" => System.Text.Encoding.Latin1,
        "windows-1252" or "cp1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? throw KilnException.Invalid("Windows-1252 is not available on this system."),
        _ => throw KilnException.Invalid($"Unknown --encoding '{name}': use {string.Join(", ", Encodings)}."),
    };
}
