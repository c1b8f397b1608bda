using System.Globalization;

namespace Kiln.Tabular.Columns;

/// <summary>A numeric column stored as <see cref="float"/>, for wide tables where memory matters; NaN marks a missing value.</summary>
public sealed class Float32Column : NumericColumn
{
    private readonly float[] _values;

    /// <summary>Wraps <paramref name="values"/> without copying; the caller must not change the array afterwards.</summary>
    public Float32Column(string name, float[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Float32;

    /// <inheritdoc />
    public override int Length => _values.Length;

    /// <summary>The values, NaN where missing.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The values as memory, for callers that cannot hold a span (async code, closures).</summary>
    public ReadOnlyMemory<float> Memory => _values;

    /// <summary>The value at <paramref name="row"/> (NaN when missing).</summary>
    public float this[int row] => _values[row];

    /// <inheritdoc />
    public override double GetValue(int row) => _values[row];

    /// <inheritdoc />
    public override bool IsMissing(int row) => float.IsNaN(_values[row]);

    /// <inheritdoc />
    public override int CountMissing()
    {
        var missing = 0;
        foreach (var value in _values)
        {
            if (float.IsNaN(value))
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
        return float.IsNaN(value) ? null : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override void CopyTo(Span<double> destination)
    {
        if (destination.Length < _values.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; the column has {_values.Length}.", nameof(destination));
        }
        for (var i = 0; i < _values.Length; i++)
        {
            destination[i] = _values[i];
        }
    }

    /// <inheritdoc />
    public override Float64Column ToFloat64()
    {
        var values = GC.AllocateUninitializedArray<double>(_values.Length);
        CopyTo(values);
        return new Float64Column(Name, values);
    }

    /// <inheritdoc />
    public override Float32Column Take(ReadOnlySpan<int> rows)
    {
        CheckRows(rows, _values.Length);
        var result = GC.AllocateUninitializedArray<float>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            result[i] = _values[rows[i]];
        }
        return new Float32Column(Name, result);
    }

    /// <inheritdoc />
    public override Float32Column Slice(int start, int count)
    {
        CheckRange(start, count, _values.Length);
        return new Float32Column(Name, _values.AsSpan(start, count).ToArray());
    }

    /// <inheritdoc />
    public override Float32Column Rename(string name) => new(name, _values);
}
