using System.Runtime.CompilerServices;

namespace Kiln.Tabular.Csv;

/// <summary>What went wrong while tokenizing a field.</summary>
internal enum FieldError
{
    None,
    UnterminatedQuote,
    TextAfterClosingQuote,
    QuoteInUnquotedField,
}

/// <summary>Tokenizes one RFC 4180 field: quoted fields may hold separators, doubled quotes and CR/LF line breaks;
/// a quote inside an unquoted field is an error (the parallel splitter relies on quotes pairing up).</summary>
internal static class FieldReader
{
    /// <summary>Reads the field at <paramref name="pos"/> and moves <paramref name="pos"/> past its terminator.</summary>
    /// <param name="data">The bytes up to the end of the current chunk.</param>
    /// <param name="pos">The field start; on success, the start of the next field or row.</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="scratch">A buffer for unescaping doubled quotes; grown when too small.</param>
    /// <param name="content">The unescaped field content (a slice of <paramref name="data"/> or of <paramref name="scratch"/>).</param>
    /// <param name="rowEnd">Whether the field ended its row (LF, CRLF or the end of the data).</param>
    /// <param name="errorOffset">Where the error was found, when one is returned.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FieldError Read(
        ReadOnlySpan<byte> data,
        scoped ref int pos,
        byte separator,
        scoped ref byte[] scratch,
        out ReadOnlySpan<byte> content,
        out bool rowEnd,
        out int errorOffset)
    {
        var start = pos;
        var length = data.Length;
        errorOffset = start;
        if (start < length && data[start] == '"')
        {
            return ReadQuoted(data, ref pos, separator, ref scratch, out content, out rowEnd, out errorOffset);
        }

        var found = data[start..].IndexOfAny(separator, (byte)'\n', (byte)'"');
        var fieldEnd = found < 0 ? length : start + found;
        if (found >= 0 && data[fieldEnd] == '"')
        {
            content = default;
            rowEnd = false;
            errorOffset = fieldEnd;
            return FieldError.QuoteInUnquotedField;
        }
        var contentEnd = fieldEnd;
        var atLineEnd = fieldEnd == length || data[fieldEnd] == '\n';
        if (atLineEnd && contentEnd > start && data[contentEnd - 1] == '\r')
        {
            contentEnd--;
        }
        content = data[start..contentEnd];
        rowEnd = atLineEnd;
        pos = fieldEnd == length ? length : fieldEnd + 1;
        return FieldError.None;
    }

    private static FieldError ReadQuoted(
        ReadOnlySpan<byte> data,
        scoped ref int pos,
        byte separator,
        scoped ref byte[] scratch,
        out ReadOnlySpan<byte> content,
        out bool rowEnd,
        out int errorOffset)
    {
        var open = pos;
        var length = data.Length;
        var segmentStart = open + 1;
        var unescapedLength = -1;
        int close;
        while (true)
        {
            var found = data[segmentStart..].IndexOf((byte)'"');
            if (found < 0)
            {
                content = default;
                rowEnd = false;
                errorOffset = open;
                return FieldError.UnterminatedQuote;
            }
            close = segmentStart + found;
            if (close + 1 < length && data[close + 1] == '"')
            {
                // A doubled quote: keep one and continue after the pair.
                Append(ref scratch, ref unescapedLength, data[segmentStart..(close + 1)]);
                segmentStart = close + 2;
                continue;
            }
            break;
        }
        if (unescapedLength >= 0)
        {
            Append(ref scratch, ref unescapedLength, data[segmentStart..close]);
            content = scratch.AsSpan(0, unescapedLength);
        }
        else
        {
            content = data[(open + 1)..close];
        }

        var after = close + 1;
        errorOffset = open;
        if (after == length)
        {
            rowEnd = true;
            pos = length;
            return FieldError.None;
        }
        var next = data[after];
        if (next == separator)
        {
            rowEnd = false;
            pos = after + 1;
            return FieldError.None;
        }
        if (next == '\n')
        {
            rowEnd = true;
            pos = after + 1;
            return FieldError.None;
        }
        if (next == '\r' && (after + 1 == length || data[after + 1] == '\n'))
        {
            rowEnd = true;
            pos = after + 1 == length ? length : after + 2;
            return FieldError.None;
        }
        rowEnd = false;
        content = default;
        return FieldError.TextAfterClosingQuote;
    }

    private static void Append(ref byte[] scratch, ref int used, ReadOnlySpan<byte> bytes)
    {
        if (used < 0)
        {
            used = 0;
        }
        if (used + bytes.Length > scratch.Length)
        {
            Array.Resize(ref scratch, Math.Max(scratch.Length * 2, used + bytes.Length));
        }
        bytes.CopyTo(scratch.AsSpan(used));
        used += bytes.Length;
    }
}
