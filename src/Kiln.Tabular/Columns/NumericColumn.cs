namespace Kiln.Tabular.Columns;

/// <summary>A column of numbers, whatever the storage width; NaN marks a missing value.</summary>
public abstract class NumericColumn : Column
{
    /// <summary>Creates a numeric column with the given name.</summary>
    protected NumericColumn(string name)
        : base(name)
    {
    }

    /// <summary>The value at <paramref name="row"/> widened to <see cref="double"/> (NaN when missing).</summary>
    public abstract double GetValue(int row);

    /// <summary>Copies all values, widened to <see cref="double"/>, into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Column.Length"/>.</exception>
    public abstract void CopyTo(Span<double> destination);

    /// <summary>This column with <see cref="double"/> storage (itself when it already is).</summary>
    public abstract Float64Column ToFloat64();
}
