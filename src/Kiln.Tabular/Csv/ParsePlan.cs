using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>What every chunk parser shares: the header, forced kinds, separator, missing tokens and row-size estimate.</summary>
internal sealed class ParsePlan
{
    public ParsePlan(string[] names, ColumnKind?[] forcedKinds, byte separator, MissingTokens missing, double averageRowBytes)
    {
        Names = names;
        ForcedKinds = forcedKinds;
        Separator = separator;
        Missing = missing;
        AverageRowBytes = Math.Max(1, averageRowBytes);
        TextSeen = new bool[names.Length];
    }

    public string[] Names { get; }

    public int ColumnCount => Names.Length;

    /// <summary>Per column: the kind from <see cref="CsvReadOptions.ColumnTypes"/>, or null to infer.</summary>
    public ColumnKind?[] ForcedKinds { get; }

    public byte Separator { get; }

    public MissingTokens Missing { get; }

    public double AverageRowBytes { get; }

    /// <summary>Per column: some chunk has found a non-numeric value, so chunks that start later go straight to text.
    /// Only a hint (read and written with <see cref="Volatile"/>); the assembler decides from the chunks themselves.</summary>
    public bool[] TextSeen { get; }

    public bool StartsAsText(int column) =>
        ForcedKinds[column] is ColumnKind.Categorical or ColumnKind.Text
        || (ForcedKinds[column] is null && Volatile.Read(ref TextSeen[column]));

    public bool IsForcedNumeric(int column) => ForcedKinds[column] is ColumnKind.Numeric or ColumnKind.Float32;

    public int EstimateRows(int bytes) => (int)Math.Min(int.MaxValue / 2, (bytes / AverageRowBytes * 1.1) + 16);
}
