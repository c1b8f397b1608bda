using System.Buffers;
using System.Globalization;
using System.Text;
using Kiln.Core.Errors;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>
/// The bulk scoring body, <c>{"dataframe_split": {"columns": […], "data": [[…], …]}}</c>, read in one pass over its bytes:
/// each number is validated and converted at once and goes straight into its feature's array, with no document built
/// first (a 1,000-row request spent most of its time in the general JSON reader). Anything outside the common shape
/// (other keys, escapes or non-ASCII in strings, numbers as strings, rows of the wrong length, malformed JSON) returns
/// null, and the caller reads the body with the general reader, which gives the detailed error.
/// </summary>
public static class SplitScanner
{
    private static readonly double[] s_powers = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>The table of a <c>dataframe_split</c> body typed by <paramref name="schema"/>, or null when the body is not in
    /// the shape this reader takes. A column the model needs that the body lacks, or a column named twice, is an error.</summary>
    public static Table? TryRead(ReadOnlySpan<byte> body, ModelSchema schema) => Scan(body, schema, raw: false, out Columns? _);

    /// <summary>As <see cref="TryRead"/> for the first <paramref name="length"/> bytes of <paramref name="body"/>, with where
    /// each number sits in it (for the prediction log; dispose it when the rows are logged: its array is pooled).</summary>
    public static (Table Table, RawCells Raw)? TryReadWithRaw(byte[] body, int length, ModelSchema schema)
    {
        var table = Scan(body.AsSpan(0, length), schema, raw: true, out Columns? columns);
        var cells = columns?.Cells;
        if (table is null)
        {
            if (cells is not null)
            {
                ArrayPool<int>.Shared.Return(cells);
            }
            return null;
        }
        return (table, new RawCells(body, cells!, schema.Features.Count));
    }

    private static Table? Scan(ReadOnlySpan<byte> body, ModelSchema schema, bool raw, out Columns? columns)
    {
        columns = null;
        var s = new Cursor(body);
        if (!s.Take((byte)'{') || !s.Key("dataframe_split"u8) || !s.Take((byte)'{'))
        {
            return null;
        }
        List<string>? names = null;
        ReadOnlySpan<byte> namesText = default;
        while (true)
        {
            if (s.Key("columns"u8))
            {
                var from = s.Position;
                if (names is not null || (names = ReadNames(ref s)) is null)
                {
                    return null;
                }
                namesText = body[from..s.Position];
            }
            else if (s.Key("index"u8))
            {
                if (!SkipScalars(ref s))
                {
                    return null;
                }
            }
            else if (s.Key("data"u8))
            {
                if (names is null || columns is not null)
                {
                    return null; // data before columns: the general reader takes it
                }
                columns = new Columns(schema, Slots(names, namesText, schema), raw);
                if (!ReadRows(ref s, columns))
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
            if (s.Take((byte)','))
            {
                continue;
            }
            if (s.Take((byte)'}'))
            {
                break;
            }
            return null;
        }
        if (!s.Take((byte)'}') || !s.AtEnd() || columns is null)
        {
            return null;
        }
        return columns.ToTable();
    }

    /// <summary>Each named column's feature position (-1 for a column the model does not read), after the checks the
    /// general reader makes: no name twice, every feature present.</summary>
    private static int[] Slots(List<string> names, ReadOnlySpan<byte> text, ModelSchema schema)
    {
        // clients send the same columns request after request: the last list's slots are kept per model, by its bytes
        var cache = s_slots.GetOrCreateValue(schema);
        var last = cache.Last;
        if (last is not null && text.SequenceEqual(last.Text))
        {
            return last.Slots;
        }
        var slots = CheckedSlots(names, schema);
        cache.Last = new SlotList(text.ToArray(), slots); // one reference: requests on other threads see the old list or this one
        return slots;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModelSchema, SlotCache> s_slots = [];

    private sealed class SlotCache
    {
        public SlotList? Last { get; set; }
    }

    private sealed record SlotList(byte[] Text, int[] Slots);

    private static int[] CheckedSlots(List<string> names, ModelSchema schema)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name))
            {
                throw KilnException.Invalid($"dataframe_split names the column '{name}' twice.");
            }
        }
        ScoringPayload.Missing(schema, seen.Contains);
        return [.. names.Select(schema.IndexOf)];
    }

    private static List<string>? ReadNames(ref Cursor s)
    {
        if (!s.Take((byte)'['))
        {
            return null;
        }
        var names = new List<string>();
        if (s.Take((byte)']'))
        {
            return names;
        }
        do
        {
            if (!s.String(out var name))
            {
                return null;
            }
            names.Add(Encoding.ASCII.GetString(name));
        }
        while (s.Take((byte)','));
        return s.Take((byte)']') ? names : null;
    }

    private static bool SkipScalars(ref Cursor s)
    {
        if (!s.Take((byte)'['))
        {
            return false;
        }
        if (s.Take((byte)']'))
        {
            return true;
        }
        do
        {
            if (!s.String(out _) && !s.Number(out _, out _) && !s.Literal(out _))
            {
                return false;
            }
        }
        while (s.Take((byte)','));
        return s.Take((byte)']');
    }

    private static bool ReadRows(ref Cursor s, Columns columns)
    {
        if (!s.Take((byte)'['))
        {
            return false;
        }
        if (s.Take((byte)']'))
        {
            return true;
        }
        // room for a row per '[' left in the body (one vectorised count): exact for the usual body, so the columns need
        // no trimming copy; more only when strings or a later "index" hold brackets, and never more rows than the body
        // could hold (a row takes at least two bytes per column), however many brackets its strings hold
        var most = s.Rest.Length / Math.Max(1, 2 * columns.Slots.Length);
        columns.Reserve(Math.Clamp(s.Rest.Count((byte)'['), 1, Math.Max(1, most)));
        do
        {
            if (!s.Take((byte)'[') || !ReadRow(ref s, columns))
            {
                return false;
            }
        }
        while (s.Take((byte)','));
        return s.Take((byte)']');
    }

    private static bool ReadRow(ref Cursor s, Columns columns)
    {
        var row = columns.AddRow();
        var slots = columns.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (i > 0 && !s.Take((byte)','))
            {
                return false;
            }
            var f = slots[i];
            if (s.Number(out var number, out var raw))
            {
                if (f >= 0 && !columns.SetNumber(f, row, number, raw, s.Position - raw.Length))
                {
                    return false;
                }
            }
            else if (s.String(out var text))
            {
                if (f >= 0 && !columns.SetText(f, row, text))
                {
                    return false;
                }
            }
            else if (s.Literal(out var literal))
            {
                if (f >= 0 && !columns.SetLiteral(f, row, literal))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }
        return s.Take((byte)']');
    }

    /// <summary>The feature arrays being filled, grown by doubling.</summary>
    private sealed class Columns
    {
        private readonly ModelSchema _schema;
        private readonly double[]?[] _numbers;
        private readonly int[]?[] _codes;
        private readonly List<string>?[] _categories;
        private readonly Dictionary<string, int>?[] _index;
        private int _rows;
        private int _capacity = 1;

        public Columns(ModelSchema schema, int[] slots, bool raw)
        {
            _schema = schema;
            Slots = slots;
            if (raw)
            {
                // pooled: a 1,000-row request's places would be a large-object allocation per request
                Cells = ArrayPool<int>.Shared.Rent(2 * schema.Features.Count);
                Array.Clear(Cells);
            }
            var count = schema.Features.Count;
            (_numbers, _codes, _categories, _index) = (new double[]?[count], new int[]?[count], new List<string>?[count], new Dictionary<string, int>?[count]);
            for (var f = 0; f < count; f++)
            {
                if (schema.Features[f].Kind == FeatureKind.Categorical)
                {
                    (_codes[f], _categories[f], _index[f]) = (new int[_capacity], [], new Dictionary<string, int>(StringComparer.Ordinal));
                }
                else
                {
                    _numbers[f] = new double[_capacity];
                }
            }
        }

        public int[] Slots { get; }

        /// <summary>Per row and feature, the offset and length of its number in the body (length 0: none), when kept.</summary>
        public int[]? Cells { get; private set; }

        public int AddRow()
        {
            if (_rows == _capacity)
            {
                Reserve(_capacity * 2);
            }
            return _rows++;
        }

        public void Reserve(int capacity)
        {
            if (capacity > _capacity)
            {
                _capacity = capacity;
                if (Cells is { } cells && cells.Length < 2 * _numbers.Length * _capacity)
                {
                    var grown = ArrayPool<int>.Shared.Rent(2 * _numbers.Length * _capacity);
                    cells.CopyTo(grown, 0);
                    Array.Clear(grown, cells.Length, grown.Length - cells.Length);
                    ArrayPool<int>.Shared.Return(cells);
                    Cells = grown;
                }
                for (var f = 0; f < _numbers.Length; f++)
                {
                    if (_numbers[f] is not null)
                    {
                        Array.Resize(ref _numbers[f], _capacity);
                    }
                    else
                    {
                        Array.Resize(ref _codes[f], _capacity);
                    }
                }
            }
        }

        private static T[] Trim<T>(T[] values, int count) => values.Length == count ? values : values.AsSpan(0, count).ToArray();

        public bool SetNumber(int f, int row, double value, ReadOnlySpan<byte> raw, int offset)
        {
            if (_numbers[f] is { } numbers)
            {
                numbers[row] = value;
                if (Cells is { } cells)
                {
                    var at = 2 * ((row * _numbers.Length) + f);
                    cells[at] = offset;
                    cells[at + 1] = raw.Length;
                }
                return true;
            }
            return SetText(f, row, raw); // a number in a categorical column is its text, as the general reader has it
        }

        public bool SetText(int f, int row, ReadOnlySpan<byte> text)
        {
            if (_codes[f] is not { } codes)
            {
                return false; // a string in a numeric column: the general reader parses or names it
            }
            Span<char> chars = stackalloc char[Math.Min(text.Length, 256)];
            if (text.Length > chars.Length)
            {
                return false;
            }
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = (char)text[i];
            }
            var lookup = _index[f]!.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(chars, out var code))
            {
                code = _categories[f]!.Count;
                var category = new string(chars);
                _categories[f]!.Add(category);
                _index[f]![category] = code;
            }
            codes[row] = code;
            return true;
        }

        public bool SetLiteral(int f, int row, bool? literal)
        {
            if (_numbers[f] is { } numbers)
            {
                numbers[row] = literal switch { true => 1, false => 0, null => double.NaN };
                return true;
            }
            if (literal is null)
            {
                _codes[f]![row] = CategoricalColumn.MissingCode;
                return true;
            }
            return SetText(f, row, literal.Value ? "true"u8 : "false"u8);
        }

        public Table ToTable()
        {
            var features = _schema.Features;
            var columns = new Column[features.Count];
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f] = _numbers[f] is { } numbers
                    ? new Float64Column(features[f].Name, Trim(numbers, _rows))
                    : new CategoricalColumn(features[f].Name, Trim(_codes[f]!, _rows), [.. _categories[f]!]);
            }
            return new Table(columns);
        }
    }

    /// <summary>A position in the body and the JSON tokens this reader accepts.</summary>
    private ref struct Cursor(ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _s = body;
        private int _i;

        /// <summary>Bytes read so far.</summary>
        public readonly int Position => _i;

        /// <summary>The bytes not read yet.</summary>
        public readonly ReadOnlySpan<byte> Rest => _s[_i..];

        private void Skip()
        {
            while (_i < _s.Length && _s[_i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                _i++;
            }
        }

        public bool AtEnd()
        {
            Skip();
            return _i == _s.Length;
        }

        public bool Take(byte token)
        {
            Skip();
            if (_i < _s.Length && _s[_i] == token)
            {
                _i++;
                return true;
            }
            return false;
        }

        /// <summary>Takes <c>"name":</c>.</summary>
        public bool Key(ReadOnlySpan<byte> name)
        {
            var at = _i;
            if (String(out var text) && text.SequenceEqual(name) && Take((byte)':'))
            {
                return true;
            }
            _i = at;
            return false;
        }

        /// <summary>A string of printable ASCII without escapes (its bytes, quotes excluded).</summary>
        public bool String(out ReadOnlySpan<byte> text)
        {
            Skip();
            text = default;
            if (_i >= _s.Length || _s[_i] != '"')
            {
                return false;
            }
            var start = _i + 1;
            var end = _s[start..].IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || _s[start + end] != '"')
            {
                return false;
            }
            text = _s.Slice(start, end);
            if (text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            {
                text = default;
                return false;
            }
            _i = start + end + 1;
            return true;
        }

        /// <summary><c>true</c>, <c>false</c> or <c>null</c>.</summary>
        public bool Literal(out bool? value)
        {
            Skip();
            var rest = _s[_i..];
            (value, var length) = rest.StartsWith("null"u8) ? ((bool?)null, 4) : rest.StartsWith("true"u8) ? (true, 4) : rest.StartsWith("false"u8) ? (false, 5) : (null, 0);
            _i += length;
            return length > 0;
        }

        /// <summary>A JSON number (RFC 8259 grammar), correctly rounded: exact in one multiply or divide when its digits fit
        /// 2^53 and its power of ten is within 10^±22 (every exactly representable pair), else the runtime's parser.</summary>
        public bool Number(out double value, out ReadOnlySpan<byte> raw)
        {
            Skip();
            value = 0;
            raw = default;
            var s = _s;
            var i = _i;
            var start = i;
            var negative = i < s.Length && s[i] == '-';
            if (negative)
            {
                i++;
            }
            if (i >= s.Length || !char.IsAsciiDigit((char)s[i]))
            {
                return false;
            }
            ulong mantissa = 0;
            var exponent = 0;
            var exact = true;
            if (s[i] == '0')
            {
                i++;
            }
            else
            {
                for (; i < s.Length && char.IsAsciiDigit((char)s[i]); i++)
                {
                    if (mantissa < 100_000_000_000_000_000UL)
                    {
                        mantissa = (mantissa * 10) + (ulong)(s[i] - '0');
                    }
                    else
                    {
                        exact = false;
                        exponent++;
                    }
                }
            }
            if (i < s.Length && s[i] == '.')
            {
                i++;
                if (i >= s.Length || !char.IsAsciiDigit((char)s[i]))
                {
                    return false;
                }
                for (; i < s.Length && char.IsAsciiDigit((char)s[i]); i++)
                {
                    if (mantissa < 100_000_000_000_000_000UL)
                    {
                        mantissa = (mantissa * 10) + (ulong)(s[i] - '0');
                        exponent--;
                    }
                    else
                    {
                        exact = false;
                    }
                }
            }
            if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
            {
                i++;
                var negativeExponent = i < s.Length && s[i] == '-';
                if (i < s.Length && s[i] is (byte)'-' or (byte)'+')
                {
                    i++;
                }
                if (i >= s.Length || !char.IsAsciiDigit((char)s[i]))
                {
                    return false;
                }
                var e = 0;
                for (; i < s.Length && char.IsAsciiDigit((char)s[i]); i++)
                {
                    e = Math.Min((e * 10) + (s[i] - '0'), 100_000);
                }
                exponent += negativeExponent ? -e : e;
            }
            raw = s[start..i];
            _i = i;
            if (exact && mantissa <= (1UL << 53) && exponent is >= -22 and <= 22)
            {
                var m = (double)mantissa;
                value = exponent < 0 ? m / s_powers[-exponent] : m * s_powers[exponent];
                value = negative ? -value : value;
            }
            else
            {
                value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!double.IsFinite(value))
                {
                    return false; // past double's range: the general reader decides
                }
            }
            return true;
        }
    }
}
