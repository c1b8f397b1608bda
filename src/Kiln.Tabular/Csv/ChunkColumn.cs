namespace Kiln.Tabular.Csv;

/// <summary>One column's values within one chunk: numbers while every value parses, dictionary codes once one does not.</summary>
internal sealed class ChunkColumn
{
    public ChunkColumn(bool isText, int capacity)
    {
        if (isText)
        {
            BeginText(capacity);
        }
        else
        {
            Numbers = GC.AllocateUninitializedArray<double>(capacity);
        }
    }

    /// <summary>Whether values are kept as dictionary codes (true) or numbers (false).</summary>
    public bool IsText { get; private set; }

    public double[] Numbers { get; private set; } = [];

    public int[] Codes { get; private set; } = [];

    public ByteStringTable? Dictionary { get; private set; }

    public int Count { get; private set; }

    public void AddNumber(double value)
    {
        var numbers = Numbers;
        var count = Count;
        if ((uint)count < (uint)numbers.Length)
        {
            numbers[count] = value;
            Count = count + 1;
            return;
        }
        GrowNumbers();
        Numbers[Count++] = value;
    }

    public void AddCode(int code)
    {
        if (Count == Codes.Length)
        {
            var grown = GC.AllocateUninitializedArray<int>(Math.Max(16, Codes.Length * 2));
            Codes.AsSpan().CopyTo(grown);
            Codes = grown;
        }
        Codes[Count++] = code;
    }

    /// <summary>Drops the numbers and starts over in dictionary mode (the caller re-reads the earlier rows as text).</summary>
    public void BeginText(int capacity)
    {
        IsText = true;
        Numbers = [];
        Codes = GC.AllocateUninitializedArray<int>(Math.Max(16, capacity));
        Dictionary = new ByteStringTable();
        Count = 0;
    }

    private void GrowNumbers()
    {
        var grown = GC.AllocateUninitializedArray<double>(Math.Max(16, Numbers.Length * 2));
        Numbers.AsSpan().CopyTo(grown);
        Numbers = grown;
    }
}
