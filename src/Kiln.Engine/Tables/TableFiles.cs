using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Tables;

/// <summary>The data files Kiln reads as tables: CSV, and Parquet (by extension).</summary>
public static class TableFiles
{
    /// <summary>Whether a file name is a Parquet file (<c>.parquet</c>, <c>.pq</c>).</summary>
    public static bool IsParquet(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a file name is a table Kiln reads (CSV or Parquet).</summary>
    public static bool IsTable(string path) =>
        IsParquet(path) || path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads a CSV or Parquet file with the default options. The format comes from <paramref name="name"/> (the path's own
    /// name by default: a stored object has none); <paramref name="kinds"/> force column kinds, and a kind for a column the
    /// file lacks is ignored.
    /// </summary>
    public static Table Read(string path, IReadOnlyDictionary<string, ColumnKind>? kinds = null, string? name = null, CancellationToken ct = default)
    {
        if (IsParquet(name ?? path))
        {
            return ParquetTableReader.Read(path, kinds, ct);
        }
        if (kinds is not { Count: > 0 })
        {
            return CsvReader.ReadFile(path, cancellationToken: ct);
        }
        // the CSV reader refuses a kind for a column its header lacks
        var header = Training.ReadOptions.Header(path, null).ToHashSet(StringComparer.Ordinal);
        return CsvReader.ReadFile(path, CsvReadOptions.Default with { ColumnTypes = kinds.Where(k => header.Contains(k.Key)).ToDictionary(StringComparer.Ordinal) }, ct);
    }
}
