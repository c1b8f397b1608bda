using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Data;

/// <summary>A table's columns seen through a <see cref="ModelSchema"/>: numeric values with non-finite values as NaN,
/// categorical values as model codes (unknown categories and missing codes as NaN).</summary>
internal sealed class FeatureView
{
    private readonly Column[] _columns;
    private readonly int[]?[] _codeMaps;

    private FeatureView(Column[] columns, int[]?[] codeMaps, int rowCount)
    {
        _columns = columns;
        _codeMaps = codeMaps;
        RowCount = rowCount;
    }

    public int RowCount { get; }

    public int FeatureCount => _columns.Length;

    /// <summary>Binds <paramref name="table"/> to <paramref name="schema"/>; a missing or mistyped feature column is a <see cref="LearnException"/>.</summary>
    public static FeatureView Bind(Table table, ModelSchema schema)
    {
        var columns = new Column[schema.Features.Count];
        var maps = new int[]?[columns.Length];
        for (var f = 0; f < columns.Length; f++)
        {
            var feature = schema.Features[f];
            if (!table.TryGetColumn(feature.Name, out var column))
            {
                throw new LearnException($"Feature column '{feature.Name}' is missing from the table; the model needs all of: {string.Join(", ", schema.Features.Select(x => x.Name))}.");
            }
            columns[f] = column;
            if (feature.Kind == FeatureKind.Numeric)
            {
                if (column is not NumericColumn)
                {
                    throw new LearnException($"Feature column '{feature.Name}' is {column.Kind} but the model was trained on it as numeric.");
                }
            }
            else
            {
                if (column is not CategoricalColumn categorical)
                {
                    throw new LearnException($"Feature column '{feature.Name}' is {column.Kind} but the model was trained on it as categorical.");
                }
                maps[f] = MapCategories(categorical.Categories, feature.Categories);
            }
        }
        return new FeatureView(columns, maps, table.RowCount);
    }

    /// <summary>A model's categories by name, built once per list (a served model binds every request's table to them).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<string>, Dictionary<string, int>> s_indexes = [];

    private static Dictionary<string, int> Index(IReadOnlyList<string> categories)
    {
        var index = new Dictionary<string, int>(categories.Count, StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++)
        {
            index[categories[i]] = i;
        }
        return index;
    }

    /// <summary>Maps each category of <paramref name="from"/> to its index in <paramref name="to"/>, or -1 when unknown.</summary>
    internal static int[] MapCategories(IReadOnlyList<string> from, IReadOnlyList<string> to)
    {
        var index = s_indexes.GetValue(to, Index);
        var map = new int[from.Count];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = index.TryGetValue(from[i], out var code) ? code : -1;
        }
        return map;
    }

    /// <summary>Writes feature <paramref name="feature"/> for rows [<paramref name="start"/>, start + destination.Length).</summary>
    public void Fill(int feature, int start, Span<double> destination)
    {
        switch (_columns[feature])
        {
            case Float64Column f64:
                CopyFinite(f64.Values.Slice(start, destination.Length), destination);
                break;
            case Float32Column f32:
                var floats = f32.Values.Slice(start, destination.Length);
                for (var i = 0; i < destination.Length; i++)
                {
                    var v = floats[i];
                    destination[i] = float.IsFinite(v) ? v : double.NaN;
                }
                break;
            case NumericColumn numeric:
                for (var i = 0; i < destination.Length; i++)
                {
                    var v = numeric.GetValue(start + i);
                    destination[i] = double.IsFinite(v) ? v : double.NaN;
                }
                break;
            case CategoricalColumn categorical:
                var codes = categorical.Codes.Slice(start, destination.Length);
                var map = _codeMaps[feature]!;
                for (var i = 0; i < destination.Length; i++)
                {
                    var c = codes[i];
                    var mapped = c < 0 ? -1 : map[c];
                    destination[i] = mapped < 0 ? double.NaN : mapped;
                }
                break;
            default:
                throw new InvalidOperationException("Unexpected column kind.");
        }
    }

    /// <summary>Rows [<paramref name="start"/>, start + <paramref name="count"/>) of a float64 feature column as stored
    /// (non-finite values not yet mapped to NaN); false for any other column kind.</summary>
    public bool TryGetFloat64(int feature, int start, int count, out ReadOnlySpan<double> values)
    {
        if (_columns[feature] is Float64Column f64)
        {
            values = f64.Values.Slice(start, count);
            return true;
        }
        values = default;
        return false;
    }

    /// <summary>Asks the cache for rows [<paramref name="start"/>, start + <paramref name="count"/>) of a float64
    /// feature column (a hint: nothing is read, nothing faults).</summary>
    public unsafe void Prefetch(int feature, int start, int count)
    {
        if (!Sse.IsSupported || _columns[feature] is not Float64Column f64 || start >= RowCount)
        {
            return;
        }
        var values = f64.Values.Slice(start, Math.Min(count, RowCount - start));
        var first = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values));
        for (var offset = 0; offset < values.Length * sizeof(double); offset += 64)
        {
            Sse.Prefetch0(first + offset);
        }
    }

    /// <summary>All rows of feature <paramref name="feature"/>.</summary>
    public double[] GetColumn(int feature)
    {
        var result = GC.AllocateUninitializedArray<double>(RowCount);
        Fill(feature, 0, result);
        return result;
    }

    /// <summary>destination[i] = source[i] where finite, NaN elsewhere; four values per vector (v − v is 0 exactly when v
    /// is finite: NaN for ±∞ and NaN).</summary>
    private static void CopyFinite(ReadOnlySpan<double> source, Span<double> destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var nan = Vector256.Create(double.NaN);
            for (; i + 4 <= source.Length; i += 4)
            {
                var v = Vector256.Create(source.Slice(i, 4));
                var finite = Vector256.Equals(v - v, Vector256<double>.Zero);
                Vector256.ConditionalSelect(finite, v, nan).CopyTo(destination.Slice(i, 4));
            }
        }
        for (; i < source.Length; i++)
        {
            var v = source[i];
            destination[i] = double.IsFinite(v) ? v : double.NaN;
        }
    }
}
