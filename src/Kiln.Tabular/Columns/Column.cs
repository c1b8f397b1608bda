namespace Kiln.Tabular.Columns;

/// <summary>A named, immutable column of a <see cref="Table"/>. Concrete kinds are
/// <see cref="Float64Column"/>, <see cref="Float32Column"/>, <see cref="CategoricalColumn"/> and <see cref="TextColumn"/>.</summary>
public abstract class Column
{
    /// <summary>Creates a column with the given name.</summary>
    /// <param name="name">The column name; must not be null.</param>
    protected Column(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>The column name, unique within its table.</summary>
    public string Name { get; }

    /// <summary>What the column holds and how it is stored.</summary>
    public abstract ColumnKind Kind { get; }

    /// <summary>The number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>Whether the value at <paramref name="row"/> is missing.</summary>
    public abstract bool IsMissing(int row);

    /// <summary>The number of missing values.</summary>
    public abstract int CountMissing();

    /// <summary>The value at <paramref name="row"/> as invariant-culture text, or null when it is missing.</summary>
    public abstract string? FormatValue(int row);

    /// <summary>A new column holding the rows at <paramref name="rows"/>, in that order (indices may repeat).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, <see cref="Length"/>).</exception>
    public abstract Column Take(ReadOnlySpan<int> rows);

    /// <summary>A new column holding <paramref name="count"/> rows starting at <paramref name="start"/>.</summary>
    public abstract Column Slice(int start, int count);

    /// <summary>The same data under another name (the storage is shared, not copied).</summary>
    public abstract Column Rename(string name);

    /// <summary>Throws unless every index in <paramref name="rows"/> is a valid row of a column of length <paramref name="length"/>.</summary>
    protected static void CheckRows(ReadOnlySpan<int> rows, int length)
    {
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row index {row} is outside the column's {length} rows.");
            }
        }
    }

    /// <summary>Throws unless [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) lies within a column of length <paramref name="length"/>.</summary>
    protected static void CheckRange(int start, int count, int length)
    {
        if ((uint)start > (uint)length || (uint)count > (uint)(length - start))
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start}+{count}) are outside the column's {length} rows.");
        }
    }
}
