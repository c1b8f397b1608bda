using Kiln.Tabular.Columns;

namespace Kiln.Tabular;

public sealed partial class Table
{
    /// <summary>A new table with the rows at <paramref name="rows"/>, in that order (indices may repeat),
    /// e.g. one side of a train/test split.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, <see cref="RowCount"/>).</exception>
    public Table Take(ReadOnlySpan<int> rows)
    {
        var columns = new Column[_columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = _columns[i].Take(rows);
        }
        return new Table(columns);
    }

    /// <summary>A new table with <paramref name="count"/> rows starting at <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the table.</exception>
    public Table Slice(int start, int count)
    {
        var columns = new Column[_columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = _columns[i].Slice(start, count);
        }
        return new Table(columns);
    }

    /// <summary>A new table with only the named columns, in the given order (storage is shared).</summary>
    /// <exception cref="ColumnNotFoundException">A name is not a column of this table.</exception>
    public Table Select(params IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var columns = new List<Column>();
        foreach (var name in names)
        {
            columns.Add(this[name]);
        }
        return new Table(columns);
    }

    /// <summary>A new table without the named columns (storage is shared).</summary>
    /// <exception cref="ColumnNotFoundException">A name is not a column of this table.</exception>
    public Table Drop(params IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var drop = new HashSet<int>();
        foreach (var name in names)
        {
            drop.Add(GetIndex(name));
        }
        var columns = new List<Column>(_columns.Length);
        for (var i = 0; i < _columns.Length; i++)
        {
            if (!drop.Contains(i))
            {
                columns.Add(_columns[i]);
            }
        }
        return new Table(columns);
    }

    /// <summary>A new table with <paramref name="column"/> added at the end, or replacing the column of the same name in place.</summary>
    /// <exception cref="ArgumentException">The column's length differs from <see cref="RowCount"/> (and the table has columns).</exception>
    public Table WithColumn(Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var columns = new List<Column>(_columns);
        var index = IndexOf(column.Name);
        if (index >= 0)
        {
            columns[index] = column;
        }
        else
        {
            columns.Add(column);
        }
        return new Table(columns);
    }
}
