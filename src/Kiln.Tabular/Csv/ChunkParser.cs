using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Parses the rows of one chunk into per-column buffers. Chunks are independent, so they run in parallel.</summary>
internal sealed class ChunkParser
{
    private const int MaxValueInMessage = 60;

    private readonly byte[] _data;
    private readonly int _start;
    private readonly int _end;
    private readonly ParsePlan _plan;
    private readonly ChunkColumn[] _columns;
    private int[] _rowStarts;
    private byte[] _scratch = new byte[256];

    private ChunkParser(byte[] data, int start, int end, ParsePlan plan)
    {
        _data = data;
        _start = start;
        _end = end;
        _plan = plan;
        var capacity = plan.EstimateRows(end - start);
        _rowStarts = GC.AllocateUninitializedArray<int>(capacity);
        _columns = new ChunkColumn[plan.ColumnCount];
        for (var c = 0; c < _columns.Length; c++)
        {
            _columns[c] = new ChunkColumn(plan.StartsAsText(c), capacity);
        }
    }

    /// <summary>The parsed columns, one per header column.</summary>
    public IReadOnlyList<ChunkColumn> Columns => _columns;

    /// <summary>The number of rows parsed.</summary>
    public int RowCount { get; private set; }

    /// <summary>The first error in this chunk, if any (parsing stops there).</summary>
    public ChunkError? Error { get; private set; }

    /// <summary>Parses the rows in [<paramref name="start"/>, <paramref name="end"/>), which must start on a row boundary.</summary>
    public static ChunkParser Parse(byte[] data, int start, int end, ParsePlan plan)
    {
        var parser = new ChunkParser(data, start, end, plan);
        parser.Run();
        return parser;
    }

    /// <summary>Re-reads a column that was parsed as numbers as text, because another chunk found text in it.</summary>
    public void ConvertToText(int column)
    {
        var target = _columns[column];
        target.BeginText(Math.Max(RowCount, target.Numbers.Length));
        var scratch = new byte[256];
        for (var row = 0; row < RowCount; row++)
        {
            AddCode(target, ExtractField(_rowStarts[row], column, ref scratch));
        }
    }

    private void Run()
    {
        ReadOnlySpan<byte> data = _data.AsSpan(0, _end);
        var separator = _plan.Separator;
        var columns = _columns;
        var last = columns.Length - 1;
        var pos = _start;
        while (pos < data.Length)
        {
            var first = data[pos];
            if (first == '\n')
            {
                pos++;
                continue;
            }
            if (first == '\r' && (pos + 1 == data.Length || data[pos + 1] == '\n'))
            {
                pos += pos + 1 == data.Length ? 1 : 2;
                continue;
            }

            var rowStart = pos;
            AddRowStart(rowStart);
            for (var c = 0; c <= last; c++)
            {
                var column = columns[c];
                bool rowEnd;
                if (!column.IsText && Utf8Number.TryParseField(data, ref pos, separator, out var number))
                {
                    column.AddNumber(number);
                    if (pos == data.Length)
                    {
                        rowEnd = true;
                    }
                    else if (data[pos] == separator)
                    {
                        rowEnd = false;
                        pos++;
                    }
                    else
                    {
                        // LF, CRLF, or a CR that ends the data.
                        rowEnd = true;
                        pos += data[pos] == '\n' || pos + 1 == data.Length ? 1 : 2;
                    }
                }
                else
                {
                    var fieldStart = pos;
                    var error = FieldReader.Read(data, ref pos, separator, ref _scratch, out var content, out rowEnd, out var errorOffset);
                    if (error != FieldError.None)
                    {
                        Error = new ChunkError(ChunkError.FromFieldError(error), errorOffset, c);
                        return;
                    }
                    if (!TryAdd(c, content))
                    {
                        Error = new ChunkError(ChunkErrorKind.NotANumber, fieldStart, c, Value: Describe(content));
                        return;
                    }
                }

                if (rowEnd)
                {
                    if (c != last)
                    {
                        Error = new ChunkError(ChunkErrorKind.TooFewFields, rowStart, c + 1, FieldCount: c + 1);
                        return;
                    }
                }
                else if (c == last)
                {
                    Error = new ChunkError(ChunkErrorKind.TooManyFields, rowStart, last, FieldCount: CountFields(rowStart));
                    return;
                }
            }
            RowCount++;
        }
    }

    private bool TryAdd(int c, ReadOnlySpan<byte> content)
    {
        var column = _columns[c];
        if (column.IsText)
        {
            AddCode(column, content);
            return true;
        }
        if (_plan.Missing.IsMissing(content))
        {
            column.AddNumber(double.NaN);
            return true;
        }
        if (Utf8Number.TryParse(content, out var number))
        {
            column.AddNumber(number);
            return true;
        }
        if (_plan.IsForcedNumeric(c))
        {
            return false;
        }

        // The first non-number in this column: re-read the earlier rows as text. Uses its own scratch buffer,
        // because content may live in _scratch.
        Volatile.Write(ref _plan.TextSeen[c], true);
        ConvertToText(c);
        AddCode(column, content);
        return true;
    }

    private void AddCode(ChunkColumn column, ReadOnlySpan<byte> content) =>
        column.AddCode(_plan.Missing.IsMissing(content) ? -1 : column.Dictionary!.GetOrAdd(content));

    private void AddRowStart(int rowStart)
    {
        if (RowCount == _rowStarts.Length)
        {
            var grown = GC.AllocateUninitializedArray<int>(Math.Max(16, _rowStarts.Length * 2));
            _rowStarts.AsSpan().CopyTo(grown);
            _rowStarts = grown;
        }
        _rowStarts[RowCount] = rowStart;
    }

    private ReadOnlySpan<byte> ExtractField(int rowStart, int column, ref byte[] scratch)
    {
        ReadOnlySpan<byte> data = _data.AsSpan(0, _end);
        var pos = rowStart;
        ReadOnlySpan<byte> content = default;
        for (var c = 0; c <= column; c++)
        {
            FieldReader.Read(data, ref pos, _plan.Separator, ref scratch, out content, out _, out _);
        }
        return content;
    }

    private int CountFields(int rowStart)
    {
        ReadOnlySpan<byte> data = _data.AsSpan(0, _end);
        var pos = rowStart;
        var fields = 0;
        bool rowEnd;
        do
        {
            if (FieldReader.Read(data, ref pos, _plan.Separator, ref _scratch, out _, out rowEnd, out _) != FieldError.None)
            {
                break;
            }
            fields++;
        }
        while (!rowEnd);
        return fields;
    }

    private static string Describe(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
        return text.Length <= MaxValueInMessage ? text : string.Concat(text.AsSpan(0, MaxValueInMessage), "…");
    }
}
