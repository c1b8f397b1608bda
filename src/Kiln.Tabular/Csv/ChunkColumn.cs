namespace Kiln.Tabular.Csv;

/// <summary>How a chunk stores a column's values.</summary>
internal enum ChunkStorage
{
    /// <summary>Parsed numbers.</summary>
    Numbers,

    /// <summary>Codes into the chunk's own dictionary.</summary>
    Codes,

    /// <summary>One string per row (the column has too many distinct values to be categorical).</summary>
    Strings,
}

/// <summary>One column as seen by one chunk: where to write, and the chunk's dictionary while it stores codes.</summary>
internal sealed class ChunkColumn
{
    public ChunkColumn(ColumnSink sink)
    {
        Sink = sink;
        Numbers = sink.Numbers;
        Floats = sink.Floats;
        if (sink.StartsAsText)
        {
            BeginText();
        }
    }

    public ColumnSink Sink { get; }

    public ChunkStorage Storage { get; private set; }

    /// <summary>Whether this chunk stores the column as text (codes or strings).</summary>
    public bool IsText => Storage != ChunkStorage.Numbers;

    /// <summary>The float64 target, or null when the column is float32.</summary>
    public double[]? Numbers { get; }

    /// <summary>The float32 target, or null when the column is float64.</summary>
    public float[]? Floats { get; }

    /// <summary>The code target, while storing <see cref="ChunkStorage.Codes"/>.</summary>
    public int[] Codes { get; private set; } = [];

    /// <summary>The string target, while storing <see cref="ChunkStorage.Strings"/>.</summary>
    public string?[] Strings { get; private set; } = [];

    /// <summary>The chunk-local dictionary behind <see cref="Codes"/>.</summary>
    public ByteStringTable? Dictionary { get; private set; }

    /// <summary>Switches to text storage, empty (the caller re-reads earlier rows): strings when the column is known to
    /// be text, codes otherwise.</summary>
    public void BeginText()
    {
        if (Sink.StringsChosen)
        {
            BeginStrings();
            return;
        }
        Storage = ChunkStorage.Codes;
        Codes = Sink.Codes;
        Dictionary = new ByteStringTable();
    }

    /// <summary>Replaces the codes of rows [<paramref name="from"/>, <paramref name="to"/>) by their strings and
    /// switches to string storage.</summary>
    public void MoveCodesToStrings(int from, int to)
    {
        var values = Dictionary!.ToStrings();
        var codes = Codes;
        BeginStrings();
        for (var row = from; row < to; row++)
        {
            Strings[row] = codes[row] < 0 ? null : values[codes[row]];
        }
    }

    /// <summary>Switches to string storage (the caller has moved any codes over).</summary>
    public void BeginStrings()
    {
        Storage = ChunkStorage.Strings;
        Strings = Sink.Strings;
        Dictionary = null;
        Codes = [];
    }
}
