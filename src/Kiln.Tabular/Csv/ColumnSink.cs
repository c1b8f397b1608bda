using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>One column's final storage, shared by all chunks: each chunk writes its rows at its own offset.</summary>
/// <remarks>Numbers go to <see cref="Numbers"/> (or <see cref="Floats"/>). Once any chunk finds a non-number in an
/// inferred column, chunks store it in <see cref="Codes"/> as chunk-local dictionary codes, which the assembler rewrites
/// into one global, sorted code space. Once a chunk alone has more distinct values than <see cref="CategoryLimit"/>, the
/// column can only be text, and chunks store strings in <see cref="Strings"/> instead of hashing every value.</remarks>
internal sealed class ColumnSink
{
    private int[]? _codes;
    private string?[]? _strings;
    private bool _textSeen;
    private bool _stringsChosen;

    public ColumnSink(string name, ColumnKind? forcedKind, int rowCount, long categoryLimit)
    {
        Name = name;
        ForcedKind = forcedKind;
        RowCount = rowCount;
        CategoryLimit = forcedKind == ColumnKind.Categorical ? long.MaxValue : categoryLimit;
        switch (forcedKind)
        {
            case ColumnKind.Categorical:
                _codes = GC.AllocateUninitializedArray<int>(rowCount);
                break;
            case ColumnKind.Text:
                _strings = new string?[rowCount];
                _stringsChosen = true;
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

    /// <summary>The most distinct values the column may have and still be categorical.</summary>
    public long CategoryLimit { get; }

    public double[]? Numbers { get; }

    public float[]? Floats { get; }

    public bool IsForcedNumeric => ForcedKind is ColumnKind.Numeric or ColumnKind.Float32;

    public bool IsForcedText => ForcedKind is ColumnKind.Categorical or ColumnKind.Text;

    /// <summary>Whether chunks should store this column as text: forced so, or some chunk has found a non-number.
    /// Read without locking as a hint; the assembler settles the kind after all chunks finish.</summary>
    public bool StartsAsText => IsForcedText || Volatile.Read(ref _textSeen);

    /// <summary>Whether the column is known to be text (not categorical), so chunks store strings rather than codes.</summary>
    public bool StringsChosen => Volatile.Read(ref _stringsChosen);

    /// <summary>The code storage, created on first use (thread-safe).</summary>
    public int[] Codes => Volatile.Read(ref _codes) ?? CreateOnce(ref _codes, () => GC.AllocateUninitializedArray<int>(RowCount));

    /// <summary>The string storage, created on first use (thread-safe).</summary>
    public string?[] Strings => Volatile.Read(ref _strings) ?? CreateOnce(ref _strings, () => new string?[RowCount]);

    public void MarkTextSeen() => Volatile.Write(ref _textSeen, true);

    public void ChooseStrings() => Volatile.Write(ref _stringsChosen, true);

    private static T CreateOnce<T>(ref T? field, Func<T> create)
        where T : class
    {
        var created = create();
        return Interlocked.CompareExchange(ref field, created, null) ?? created;
    }
}
