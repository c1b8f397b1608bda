namespace Kiln.Engine.Charts;

/// <summary>Series colours (Tableau 10), distinguishable and colour-blind friendly enough for a handful of lines.</summary>
internal static class Palette
{
    public const string Reference = "#888888";
    public const string Grid = "#e6e6e6";
    public const string Axis = "#333333";
    public const string Text = "#222222";

    private static readonly string[] Colors =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>The colour of series <paramref name="index"/>; past ten the colours repeat, dashed.</summary>
    public static (string Color, bool Dashed) Series(int index) => (Colors[index % Colors.Length], index >= Colors.Length);
}
