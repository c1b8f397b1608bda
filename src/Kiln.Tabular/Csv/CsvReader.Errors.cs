using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

public static partial class CsvReader
{
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
