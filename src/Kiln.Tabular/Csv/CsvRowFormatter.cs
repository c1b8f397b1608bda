using System.Globalization;
using System.Text;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>Formats a table's header and rows into a reusable UTF-8 buffer, a buffer-full at a time.</summary>
internal sealed class CsvRowFormatter
{
    private const int InitialBufferSize = 1 << 20;

    private readonly Table _table;
    private readonly byte _separator;
    private readonly byte[] _newLine;
    private readonly byte[][]?[] _categoryBytes;
    private readonly byte[] _missing;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _used;
    private int _nextRow;
    private bool _headerPending;

    public CsvRowFormatter(Table table, CsvWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        options.Validate();
        _table = table;
        _separator = (byte)options.Separator;
        _newLine = Encoding.ASCII.GetBytes(options.NewLine);
        _headerPending = options.WriteHeader;

        // A missing value is an empty field, except in a one-column table, where an empty line would read back as a
        // skipped blank line; there it is a quoted empty field.
        _missing = table.ColumnCount == 1 ? "\"\""u8.ToArray() : [];

        // Category strings are encoded (and quoted) once, not once per row.
        _categoryBytes = new byte[][]?[table.ColumnCount];
        for (var c = 0; c < table.ColumnCount; c++)
        {
            if (table[c] is CategoricalColumn categorical)
            {
                var encoded = new byte[categorical.CategoryCount][];
                for (var k = 0; k < encoded.Length; k++)
                {
                    encoded[k] = Encode(categorical.Categories[k]);
                }
                _categoryBytes[c] = encoded;
            }
        }
    }

    /// <summary>The bytes formatted by the last <see cref="FillBuffer"/>.</summary>
    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(0, _used);

    /// <summary>Formats as many pending rows as fit; false when there was nothing left to format.</summary>
    public bool FillBuffer()
    {
        _used = 0;
        if (_headerPending)
        {
            while (!TryAppendHeader())
            {
                Grow();
            }
            _headerPending = false;
        }
        while (_nextRow < _table.RowCount)
        {
            if (TryAppendRow(_nextRow))
            {
                _nextRow++;
            }
            else if (_used == 0)
            {
                Grow();
            }
            else
            {
                break;
            }
        }
        return _used > 0;
    }

    private void Grow() => Array.Resize(ref _buffer, _buffer.Length * 2);

    private bool TryAppendHeader()
    {
        var start = _used;
        for (var c = 0; c < _table.ColumnCount; c++)
        {
            if ((c > 0 && !TryAppendByte(_separator)) || !TryAppendText(_table[c].Name))
            {
                _used = start;
                return false;
            }
        }
        if (!TryAppendBytes(_newLine))
        {
            _used = start;
            return false;
        }
        return true;
    }

    private bool TryAppendRow(int row)
    {
        var start = _used;
        for (var c = 0; c < _table.ColumnCount; c++)
        {
            if ((c > 0 && !TryAppendByte(_separator)) || !TryAppendValue(c, row))
            {
                _used = start;
                return false;
            }
        }
        if (!TryAppendBytes(_newLine))
        {
            _used = start;
            return false;
        }
        return true;
    }

    private bool TryAppendValue(int c, int row)
    {
        var free = _buffer.AsSpan(_used);
        int written;
        switch (_table[c])
        {
            case Float64Column numbers:
                var number = numbers[row];
                if (double.IsNaN(number))
                {
                    return TryAppendBytes(_missing);
                }
                if (!number.TryFormat(free, out written, "R", CultureInfo.InvariantCulture))
                {
                    return false;
                }
                break;
            case Float32Column floats:
                var single = floats[row];
                if (float.IsNaN(single))
                {
                    return TryAppendBytes(_missing);
                }
                if (!single.TryFormat(free, out written, "R", CultureInfo.InvariantCulture))
                {
                    return false;
                }
                break;
            case CategoricalColumn categorical:
                var code = categorical.Codes[row];
                return TryAppendBytes(code < 0 ? _missing : _categoryBytes[c]![code]);
            default:
                var text = _table[c].FormatValue(row);
                return text is null ? TryAppendBytes(_missing) : TryAppendText(text);
        }
        _used += written;
        return true;
    }

    private bool TryAppendText(string text)
    {
        if (!NeedsQuotes(text))
        {
            if (Encoding.UTF8.GetMaxByteCount(text.Length) > _buffer.Length - _used && Encoding.UTF8.GetByteCount(text) > _buffer.Length - _used)
            {
                return false;
            }
            _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
            return true;
        }
        return TryAppendBytes(Encode(text));
    }

    private bool TryAppendBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            return false;
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
        return true;
    }

    private bool TryAppendByte(byte value)
    {
        if (_used == _buffer.Length)
        {
            return false;
        }
        _buffer[_used++] = value;
        return true;
    }

    private bool NeedsQuotes(string text) =>
        text.Length == 0 || text.AsSpan().IndexOfAny('"', '\r', '\n') >= 0 || text.Contains((char)_separator);

    /// <summary>The UTF-8 field for <paramref name="text"/>, quoted (with doubled quotes) when it needs to be.</summary>
    private byte[] Encode(string text) =>
        Encoding.UTF8.GetBytes(NeedsQuotes(text) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text);
}
