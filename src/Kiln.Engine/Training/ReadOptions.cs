using System.Text;
using Kiln.Core.Errors;
using Kiln.Tabular;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Training;

/// <summary>How Kiln's commands read CSV: the reader's defaults plus the user's <c>--na-values</c>, in the file's <c>--encoding</c>.</summary>
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

    /// <summary>The decoder for an <c>--encoding</c> value; null for UTF-8.</summary>
    private static Encoding? Encoding(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => null,
        "latin1" or "latin-1" or "iso-8859-1" => System.Text.Encoding.Latin1,
        "windows-1252" or "cp1252" => CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? throw KilnException.Invalid("Windows-1252 is not available on this system."),
        _ => throw KilnException.Invalid($"Unknown --encoding '{name}': use {string.Join(", ", Encodings)}."),
    };
}
