using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Parses the rows of one chunk straight into the final column arrays, at the chunk's row offset.
/// Chunks are independent, so they run in parallel.</summary>
internal sealed class ChunkParser
{
    private const int MaxValueInMessage = 60;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly int _start;
    private readonly int _end;
    private readonly int _rowOffset;
    private readonly int _expectedRows;
    private readonly ParsePlan _plan;
    private readonly ChunkColumn[] _columns;
    private byte[] _scratch = new byte[256];
    private bool _rowEnd;

    private ChunkParser(ReadOnlyMemory<byte> data, int start, int end, int rowOffset, int expectedRows, ParsePlan plan)
    {
        _data = data;
        _start = start;
        _end = end;
        _rowOffset = rowOffset;
        _expectedRows = expectedRows;
        _plan = plan;
        _columns = new ChunkColumn[plan.ColumnCount];
        for (var c = 0; c < _columns.Length; c++)
        {
            _columns[c] = new ChunkColumn(plan.Sinks[c]);
        }
    }

    /// <summary>This chunk's view of each column.</summary>
    public IReadOnlyList<ChunkColumn> Columns => _columns;

    /// <summary>The index of this chunk's first row in the table.</summary>
    public int RowOffset => _rowOffset;

    /// <summary>The number of rows parsed.</summary>
    public int RowCount { get; private set; }

    /// <summary>The first error in this chunk, if any (parsing stops there).</summary>
    public ChunkError? Error { get; private set; }

    /// <summary>Parses the <paramref name="expectedRows"/> rows in [<paramref name="start"/>, <paramref name="end"/>),
    /// which must start on a row boundary, writing them from row <paramref name="rowOffset"/> on.</summary>
    public static ChunkParser Parse(ReadOnlyMemory<byte> data, int start, int end, int rowOffset, int expectedRows, ParsePlan plan)
    {
        var parser = new ChunkParser(data, start, end, rowOffset, expectedRows, plan);
        parser.Run();
        return parser;
    }

    /// <summary>Re-reads a column that this chunk parsed as numbers as text, because another chunk found text in it.</summary>
    public void ConvertToText(int column)
    {
        _columns[column].BeginText();
        RereadAsText(column, RowCount);
    }

    // The parse loop and its helpers are fully optimized from the first call (AggressiveOptimization): a load usually
    // runs once per process, over before tiered compilation would have promoted them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        var data = _data.Span[.._end];
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
            if (RowCount == _expectedRows)
            {
                Error = new ChunkError(ChunkErrorKind.RowCountMismatch, pos, 0);
                return;
            }

            var rowStart = pos;
            var row = _rowOffset + RowCount;
            for (var c = 0; c <= last; c++)
            {
                var column = columns[c];
                bool rowEnd;
                var numberEnd = -1;
                var number = 0.0;
                if (!column.IsText)
                {
                    numberEnd = Utf8Number.ParseField(data, pos, separator, out number);
                }
                if (numberEnd >= 0)
                {
                    pos = numberEnd;
                    if (column.Numbers is { } numbers)
                    {
                        numbers[row] = number;
                    }
                    else
                    {
                        column.Floats![row] = (float)number;
                    }
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
                    pos = ReadField(data, pos, c, row);
                    if (pos < 0)
                    {
                        return;
                    }
                    rowEnd = _rowEnd;
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
        if (RowCount != _expectedRows)
        {
            Error = new ChunkError(ChunkErrorKind.RowCountMismatch, _start, 0);
        }
    }

    /// <summary>The general path: quoted fields, missing tokens, text, and numbers the fast path declined.
    /// Returns the position after the field, or -1 after recording an error; sets <see cref="_rowEnd"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private int ReadField(ReadOnlySpan<byte> data, int pos, int c, int row)
    {
        var fieldStart = pos;
        var error = FieldReader.Read(data, ref pos, _plan.Separator, ref _scratch, out var content, out _rowEnd, out var errorOffset);
        if (error != FieldError.None)
        {
            Error = new ChunkError(ChunkError.FromFieldError(error), errorOffset, c);
            return -1;
        }

        var column = _columns[c];
        if (column.IsText)
        {
            StoreText(column, content, row);
            return pos;
        }
        var number = double.NaN;
        if (_plan.Missing.IsMissing(content) || Utf8Number.TryParse(content, out number))
        {
            if (column.Numbers is { } numbers)
            {
                numbers[row] = number;
            }
            else
            {
                column.Floats![row] = (float)number;
            }
            return pos;
        }
        if (column.Sink.IsForcedNumeric)
        {
            Error = new ChunkError(ChunkErrorKind.NotANumber, fieldStart, c, Value: Describe(content));
            return -1;
        }

        // The first non-number in this column: from now on it is text, here and in chunks that start later.
        // Earlier rows are re-read into a separate scratch buffer, because content may live in _scratch.
        column.Sink.MarkTextSeen();
        column.BeginText();
        RereadAsText(c, RowCount);
        StoreText(column, content, row);
        return pos;
    }

    /// <summary>Stores a text value as a code or a string, switching the chunk to strings once its dictionary shows
    /// that the column has too many distinct values to be categorical.</summary>
    private void StoreText(ChunkColumn column, ReadOnlySpan<byte> content, int row)
    {
        var missing = _plan.Missing.IsMissing(content);
        if (column.Storage == ChunkStorage.Strings)
        {
            column.Strings[row] = missing ? null : Encoding.UTF8.GetString(content);
            return;
        }
        var dictionary = column.Dictionary!;
        column.Codes[row] = missing ? -1 : dictionary.GetOrAdd(content);
        if (dictionary.Count > column.Sink.CategoryLimit)
        {
            column.Sink.ChooseStrings();
            column.MoveCodesToStrings(_rowOffset, row + 1);
        }
    }

    /// <summary>Re-tokenizes this chunk's first <paramref name="rows"/> rows and stores column <paramref name="c"/> as text.</summary>
    private void RereadAsText(int c, int rows)
    {
        var data = _data.Span[.._end];
        var column = _columns[c];
        var scratch = new byte[256];
        var pos = _start;
        for (var r = 0; r < rows; r++)
        {
            while (data[pos] == '\n' || (data[pos] == '\r' && (pos + 1 == data.Length || data[pos + 1] == '\n')))
            {
                pos++;
            }
            bool rowEnd;
            var field = 0;
            do
            {
                FieldReader.Read(data, ref pos, _plan.Separator, ref scratch, out var content, out rowEnd, out _);
                if (field++ == c)
                {
                    StoreText(column, content, _rowOffset + r);
                }
            }
            while (!rowEnd);
        }
    }

    private int CountFields(int rowStart)
    {
        var data = _data.Span[.._end];
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
