namespace Kiln.Tabular.Csv;

/// <summary>What a chunk parser found wrong; turned into a <see cref="CsvFormatException"/> once the line number is known.</summary>
internal enum ChunkErrorKind
{
    UnterminatedQuote,
    TextAfterClosingQuote,
    QuoteInUnquotedField,
    TooFewFields,
    TooManyFields,
    NotANumber,

    /// <summary>The parser and <see cref="RowCounter"/> disagree: a bug, never a property of the file.</summary>
    RowCountMismatch,
}

/// <summary>A parse error at a byte offset; <paramref name="Column"/> is 0-based.</summary>
internal readonly record struct ChunkError(ChunkErrorKind Kind, int Offset, int Column, int FieldCount = 0, string? Value = null)
{
    public static ChunkErrorKind FromFieldError(FieldError error) => error switch
    {
        FieldError.UnterminatedQuote => ChunkErrorKind.UnterminatedQuote,
        FieldError.TextAfterClosingQuote => ChunkErrorKind.TextAfterClosingQuote,
        _ => ChunkErrorKind.QuoteInUnquotedField,
    };
}
