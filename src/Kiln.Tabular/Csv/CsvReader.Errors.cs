using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

public static partial class CsvReader
{
    /// <summary>
    /// The first byte at or after <paramref name="from"/> (a row start) that is not valid UTF-8, as an error naming its line
    /// and byte offset. Bad bytes are never replaced: U+FFFD in place of 'é' and 'è' would merge two categories into one.
    /// </summary>
    private static CsvFormatException InvalidUtf8(ReadOnlySpan<byte> data, int from, string sourceName)
    {
        var offset = from;
        while (offset < data.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(data[offset..], out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                break;
            }
            offset += consumed;
        }
        offset = Math.Min(offset, data.Length - 1);
        return new CsvFormatException(sourceName, LineOf(data, offset), 0, null,
            $"byte {offset} (0x{data[offset]:X2}) is not valid UTF-8. The file is probably in another encoding such as Latin-1 or Windows-1252: " +
            "save it as UTF-8, or read it with its encoding (kiln: --encoding latin1 or windows-1252).");
    }

    /// <summary>Lowers <paramref name="target"/> to <paramref name="value"/> if that is smaller, atomically.</summary>
    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private static Exception ToException(ChunkError error, ReadOnlySpan<byte> data, string[] names, ColumnKind?[] forcedKinds, string sourceName)
    {
        if (error.Kind == ChunkErrorKind.RowCountMismatch)
        {
            return new InvalidOperationException($"{sourceName}: the row counter and the parser disagree near byte {error.Offset}; this is a bug in Kiln.Tabular, please report it with the file.");
        }
        var line = LineOf(data, error.Offset);
        var column = Math.Min(error.Column, names.Length - 1);
        var detail = error.Kind switch
        {
            ChunkErrorKind.TooFewFields =>
                $"the row has {error.FieldCount} field(s) but the header has {names.Length}; the value for column {error.Column + 1} '{names[column]}' onward is missing.",
            ChunkErrorKind.TooManyFields =>
                $"the row has {error.FieldCount} fields but the header has {names.Length}; check for an unquoted separator in a value.",
            ChunkErrorKind.NotANumber =>
                $"value '{error.Value}' is not a number, but CsvReadOptions.ColumnTypes declares the column {forcedKinds[column]}; fix the value or declare the column Categorical or Text.",
            ChunkErrorKind.UnterminatedQuote => FieldErrorDetail(FieldError.UnterminatedQuote),
            ChunkErrorKind.TextAfterClosingQuote => FieldErrorDetail(FieldError.TextAfterClosingQuote),
            _ => FieldErrorDetail(FieldError.QuoteInUnquotedField),
        };
        return new CsvFormatException(sourceName, line, column + 1, names[column], detail);
    }

    private static string FieldErrorDetail(FieldError error) => error switch
    {
        FieldError.UnterminatedQuote =>
            "a quoted field starts here but never closes; add the closing quote, and double any quote inside the field (\"\").",
        FieldError.TextAfterClosingQuote =>
            "text follows the closing quote of the quoted field that starts here; quote the whole field and double any quote inside it (\"\").",
        _ => "a double quote appears inside an unquoted field; quote the whole field and double the quote (\"\").",
    };

    /// <summary>The 1-based line holding byte <paramref name="offset"/>; counted only when reporting an error.</summary>
    private static long LineOf(ReadOnlySpan<byte> data, int offset) => 1 + data[..offset].Count((byte)'\n');
}
