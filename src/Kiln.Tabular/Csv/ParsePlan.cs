namespace Kiln.Tabular.Csv;

/// <summary>What every chunk parser shares: the separator, the missing-value tokens and each column's final storage.</summary>
internal sealed class ParsePlan(byte separator, MissingTokens missing, ColumnSink[] sinks)
{
    public byte Separator { get; } = separator;

    public MissingTokens Missing { get; } = missing;

    public ColumnSink[] Sinks { get; } = sinks;

    public int ColumnCount => Sinks.Length;
}
