using Kiln.Core.Errors;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Scoring;

/// <summary>
/// Reads rows to score as the model's schema says, not as the file's values suggest: numeric features as numbers,
/// categorical features as categories (matched to the training categories by name; unseen ones score as missing),
/// whatever the number of rows — one included. Every other column is kept as the text it was written as
/// (<c>02100</c> stays <c>02100</c>), so only the prediction columns change the file. The one path scoring takes.
/// </summary>
public static class ScoringInput
{
    /// <summary>Reads a CSV file for scoring with <paramref name="schema"/>.</summary>
    /// <exception cref="KilnException">A feature column is missing (the message lists what the model needs), or a
    /// numeric feature holds a value that is not a number (file, line, column and value named).</exception>
    public static Table ReadCsv(string path, ModelSchema schema, CancellationToken ct = default) => ReadCsv(path, schema, null, null, ct);

    /// <summary>Reads a CSV file for scoring with <paramref name="schema"/>, <paramref name="naValues"/> read as missing besides the defaults.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="schema">The model's schema.</param>
    /// <param name="naValues">Tokens read as missing besides the defaults.</param>
    /// <param name="encoding">The file's encoding: null or utf-8, latin1, windows-1252.</param>
    /// <param name="ct">Cancels the read.</param>
    public static Table ReadCsv(string path, ModelSchema schema, IReadOnlyList<string>? naValues, string? encoding, CancellationToken ct = default)
    {
        var header = ReadHeader(path);
        var missing = schema.Features.Where(f => !header.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid(
                $"{path} has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}: the model needs the features {string.Join(", ", schema.Features.Select(f => f.Name))}. " +
                $"The file's columns: {string.Join(", ", header)}.");
        }
        var kinds = header.Distinct(StringComparer.Ordinal).ToDictionary(name => name, _ => ColumnKind.Text, StringComparer.Ordinal);
        foreach (var feature in schema.Features)
        {
            kinds[feature.Name] = feature.Kind == FeatureKind.Numeric ? ColumnKind.Numeric : ColumnKind.Categorical;
        }
        return Training.ReadOptions.ReadCsv(path, Training.ReadOptions.WithMissing(naValues) with { ColumnTypes = kinds }, encoding, ct);
    }

    /// <summary>The header's column names (the first record, quotes and all, read by the CSV reader itself).</summary>
    private static IReadOnlyList<string> ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        var bytes = new List<byte>(256);
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
        bytes.Add((byte)'\n');
        return CsvReader.Parse(bytes.ToArray(), CsvReadOptions.Default with { MaxDegreeOfParallelism = 1 }, path).ColumnNames;
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw KilnException.FileNotFound(path, e);
        }
    }
}
