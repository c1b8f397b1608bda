using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>One column's final storage, shared by all chunks: each chunk writes its rows at its own offset.</summary>
/// <remarks>Numbers go to <see cref="Numbers"/> (or <see cref="Floats"/>); once any chunk finds a non-number in an
/// inferred column, every chunk's rows of it go to <see cref="Codes"/> as chunk-local dictionary codes, which the
/// assembler then rewrites into one global, sorted code space.</remarks>
internal sealed class ColumnSink
{
    private int[]? _codes;
    private bool _textSeen;

    public ColumnSink(string name, ColumnKind? forcedKind, int rowCount)
    {
        Name = name;
        ForcedKind = forcedKind;
        RowCount = rowCount;
        switch (forcedKind)
        {
            case ColumnKind.Categorical or ColumnKind.Text:
                _codes = GC.AllocateUninitializedArray<int>(rowCount);
                break;
            case ColumnKind.Float32:
                Floats = GC.AllocateUninitializedArray<float>(rowCount);
                break;
            default:
                Numbers = GC.AllocateUninitializedArray<double>(rowCount);
                break;
        }
    }

    public string Name { get; }

    /// <summary>The kind from <see cref="CsvReadOptions.ColumnTypes"/>, or null to infer.</summary>
    public ColumnKind? ForcedKind { get; }

    public int RowCount { get; }

    public double[]? Numbers { get; }

    public float[]? Floats { get; }

    public bool IsForcedNumeric => ForcedKind is ColumnKind.Numeric or ColumnKind.Float32;

    public bool IsForcedText => ForcedKind is ColumnKind.Categorical or ColumnKind.Text;

    /// <summary>Whether chunks should store this column as text: forced so, or some chunk has found a non-number.
    /// Read without locking as a hint; the assembler settles the kind after all chunks finish.</summary>
    public bool StartsAsText => IsForcedText || Volatile.Read(ref _textSeen);

    /// <summary>The code storage, created on first use (thread-safe).</summary>
    public int[] Codes
    {
        get
        {
            var codes = Volatile.Read(ref _codes);
            if (codes is not null)
            {
                return codes;
            }
            var created = GC.AllocateUninitializedArray<int>(RowCount);
            return Interlocked.CompareExchange(ref _codes, created, null) ?? created;
        }
    }

    public void MarkTextSeen() => Volatile.Write(ref _textSeen, true);
}
