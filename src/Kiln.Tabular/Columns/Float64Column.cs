using System.Globalization;

namespace Kiln.Tabular.Columns;

/// <summary>A numeric column stored as <see cref="double"/>; NaN marks a missing value.</summary>
public sealed class Float64Column : NumericColumn
{
    private readonly double[] _values;

    /// <summary>Wraps <paramref name="values"/> without copying; the caller must not change the array afterwards.</summary>
    public Float64Column(string name, double[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Numeric;

    /// <inheritdoc />
    public override int Length => _values.Length;

    /// <summary>The values, NaN where missing.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The values as memory, for callers that cannot hold a span (async code, closures).</summary>
    public ReadOnlyMemory<double> Memory => _values;

    /// <summary>The value at <paramref name="row"/> (NaN when missing).</summary>
    public double this[int row] => _values[row];

    /// <inheritdoc />
    public override double GetValue(int row) => _values[row];

    /// <inheritdoc />
    public override bool IsMissing(int row) => double.IsNaN(_values[row]);

    /// <inheritdoc />
    public override int CountMissing()
    {
        var missing = 0;
        foreach (var value in _values)
        {
            if (double.IsNaN(value))
            {
                missing++;
            }
        }
        return missing;
    }

    /// <inheritdoc />
    public override string? FormatValue(int row)
    {
        var value = _values[row];
        return double.IsNaN(value) ? null : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override void CopyTo(Span<double> destination) => _values.CopyTo(destination);

    /// <inheritdoc />
    public override Float64Column ToFloat64() => this;

    /// <inheritdoc />
    public override Float64Column Take(ReadOnlySpan<int> rows)
    {
        CheckRows(rows, _values.Length);
        var result = GC.AllocateUninitializedArray<double>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            result[i] = _values[rows[i]];
        }
        return new Float64Column(Name, result);
    }

    /// <inheritdoc />
    public override Float64Column Slice(int start, int count)
    {
        CheckRange(start, count, _values.Length);
        return new Float64Column(Name, _values.AsSpan(start, count).ToArray());
    }

    /// <inheritdoc />
    public override Float64Column Rename(string name) => new(name, _values);
}
