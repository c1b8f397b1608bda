namespace Kiln.Tabular.Columns;

/// <summary>A column of free text, one string per row; null marks a missing value.</summary>
public sealed class TextColumn : Column
{
    private readonly string?[] _values;

    /// <summary>Wraps <paramref name="values"/> without copying; the caller must not change the array afterwards.</summary>
    public TextColumn(string name, string?[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Text;

    /// <inheritdoc />
    public override int Length => _values.Length;

    /// <summary>The values, null where missing.</summary>
    public ReadOnlySpan<string?> Values => _values;

    /// <summary>The value at <paramref name="row"/>, or null when missing.</summary>
    public string? this[int row] => _values[row];

    /// <inheritdoc />
    public override bool IsMissing(int row) => _values[row] is null;

    /// <inheritdoc />
    public override int CountMissing()
    {
        var missing = 0;
        foreach (var value in _values)
        {
            if (value is null)
            {
                missing++;
            }
        }
        return missing;
    }

    /// <inheritdoc />
    public override string? FormatValue(int row) => _values[row];

    /// <inheritdoc />
    public override TextColumn Take(ReadOnlySpan<int> rows)
    {
        CheckRows(rows, _values.Length);
        var result = new string?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            result[i] = _values[rows[i]];
        }
        return new TextColumn(Name, result);
    }

    /// <inheritdoc />
    public override TextColumn Slice(int start, int count)
    {
        CheckRange(start, count, _values.Length);
        return new TextColumn(Name, _values.AsSpan(start, count).ToArray());
    }

    /// <inheritdoc />
    public override TextColumn Rename(string name) => new(name, _values);
}
