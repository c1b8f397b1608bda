using Kiln.Core.Errors;

namespace Kiln.Tabular.Csv;

/// <summary>Thrown when a CSV file is malformed or a value does not fit its column. The message names the file,
/// the 1-based line and, where one is involved, the column's number and name. Its code is INVALID_PARAMETER_VALUE.</summary>
public sealed class CsvFormatException : KilnException
{
    /// <summary>Creates the exception; the message is built from the location and <paramref name="detail"/>.</summary>
    /// <param name="sourceName">The file path, or a description of the source.</param>
    /// <param name="lineNumber">The 1-based line on which the offending row or field starts.</param>
    /// <param name="columnNumber">The 1-based column number, or 0 when no column is involved.</param>
    /// <param name="columnName">The column's header name, or null when no column is involved.</param>
    /// <param name="detail">What is wrong and what to do about it.</param>
    public CsvFormatException(string sourceName, long lineNumber, int columnNumber, string? columnName, string detail)
        : base(ErrorCode.InvalidParameterValue, BuildMessage(sourceName, lineNumber, columnNumber, columnName, detail))
    {
        SourceName = sourceName;
        LineNumber = lineNumber;
        ColumnNumber = columnNumber;
        ColumnName = columnName;
        Detail = detail;
    }

    /// <summary>The file path, or a description of the source.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line on which the offending row or field starts.</summary>
    public long LineNumber { get; }

    /// <summary>The 1-based column number, or 0 when no column is involved.</summary>
    public int ColumnNumber { get; }

    /// <summary>The column's header name, or null when no column is involved (or the header itself is at fault).</summary>
    public string? ColumnName { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Detail { get; }

    private static string BuildMessage(string sourceName, long lineNumber, int columnNumber, string? columnName, string detail)
    {
        var column = columnNumber <= 0 ? "" : columnName is null ? $", column {columnNumber}" : $", column {columnNumber} '{columnName}'";
        return $"{sourceName}, line {lineNumber}{column}: {detail}";
    }
}
