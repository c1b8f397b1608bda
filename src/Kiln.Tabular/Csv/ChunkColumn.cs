namespace Kiln.Tabular.Csv;

/// <summary>One column as seen by one chunk: where to write, and the chunk's dictionary once the column holds text.</summary>
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

    /// <summary>Whether this chunk stores the column as dictionary codes.</summary>
    public bool IsText { get; private set; }

    /// <summary>The float64 target, or null when the column is float32.</summary>
    public double[]? Numbers { get; }

    /// <summary>The float32 target, or null when the column is float64.</summary>
    public float[]? Floats { get; }

    /// <summary>The code target, once <see cref="IsText"/>.</summary>
    public int[] Codes { get; private set; } = [];

    /// <summary>The chunk-local dictionary, once <see cref="IsText"/>.</summary>
    public ByteStringTable? Dictionary { get; private set; }

    /// <summary>Switches to dictionary codes with an empty dictionary (the caller re-reads earlier rows).</summary>
    public void BeginText()
    {
        IsText = true;
        Codes = Sink.Codes;
        Dictionary = new ByteStringTable();
    }
}
