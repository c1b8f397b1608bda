using Kiln.Core.Errors;

namespace Kiln.Tabular.Columns;

/// <summary>Thrown when a table is asked for a column it does not have; the message lists the columns it does have.
/// Its code is INVALID_PARAMETER_VALUE: the column was named by the caller (a flag, a request), which is what is wrong.</summary>
public sealed class ColumnNotFoundException : KilnException
{
    /// <summary>Creates the exception for <paramref name="columnName"/>, listing <paramref name="availableColumns"/> in the message.</summary>
    public ColumnNotFoundException(string columnName, IReadOnlyList<string> availableColumns)
        : base(ErrorCode.InvalidParameterValue, BuildMessage(columnName, availableColumns))
    {
        ColumnName = columnName;
        AvailableColumns = availableColumns;
    }

    /// <summary>The name that was asked for.</summary>
    public string ColumnName { get; }

    /// <summary>The columns the table has.</summary>
    public IReadOnlyList<string> AvailableColumns { get; }

    private static string BuildMessage(string columnName, IReadOnlyList<string> available) =>
        available.Count == 0
            ? $"No column named '{columnName}': the table has no columns."
            : $"No column named '{columnName}'. Available columns ({available.Count}): {string.Join(", ", available)}.";
}
