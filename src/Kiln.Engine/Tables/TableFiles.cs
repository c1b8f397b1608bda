using Kiln.Tabular;
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

    /// <summary>Reads a CSV or Parquet file with the default options.</summary>
    public static Table Read(string path, CancellationToken ct = default) =>
        IsParquet(path) ? ParquetTableReader.Read(path, null, ct) : CsvReader.ReadFile(path, cancellationToken: ct);
}
