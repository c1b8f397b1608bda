using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data;

/// <summary>How one file differs between two versions: added, removed or changed (same path, other content).</summary>
/// <param name="Path">The file's path in the dataset.</param>
/// <param name="Change">"added", "removed" or "changed".</param>
/// <param name="OldSize">Its size in the first version (null when added).</param>
/// <param name="NewSize">Its size in the second version (null when removed).</param>
/// <param name="Schema">For a changed table: what changed in its rows and columns, e.g. "rows 400 → 512; column 'debt' added"; null otherwise.</param>
public sealed record FileChange(string Path, string Change, long? OldSize, long? NewSize, string? Schema)
{
    /// <summary>For a changed table: every column's statistics before and after.</summary>
    public IReadOnlyList<ColumnChange> Columns { get; init; } = [];
}

/// <summary>One column of a changed table: its statistics in both versions and how far its distribution moved.</summary>
/// <param name="Column">The column.</param>
/// <param name="Change">added, removed, kind_changed, changed (statistics differ) or same.</param>
/// <param name="KindBefore">Its kind before.</param>
/// <param name="KindAfter">Its kind after.</param>
/// <param name="MissingBefore">Its missing share before.</param>
/// <param name="MissingAfter">Its missing share after.</param>
/// <param name="DistinctBefore">Its distinct count before.</param>
/// <param name="DistinctAfter">Its distinct count after.</param>
/// <param name="MeanBefore">Its mean before (numbers).</param>
/// <param name="MeanAfter">Its mean after.</param>
/// <param name="Method">js or linf, when the distributions were compared.</param>
/// <param name="Distance">The distance between the two distributions.</param>
public sealed record ColumnChange(string Column, string Change, string? KindBefore, string? KindAfter, double? MissingBefore, double? MissingAfter,
    long? DistinctBefore, long? DistinctAfter, double? MeanBefore, double? MeanAfter, string? Method = null, double? Distance = null)
{
    internal static ColumnChange Of(string name, string change, ColumnProfile? before, ColumnProfile? after) =>
        new(name, change, before?.Kind.ToString().ToLowerInvariant(), after?.Kind.ToString().ToLowerInvariant(),
            Share(before), Share(after), before?.DistinctEstimate, after?.DistinctEstimate, before?.Numeric?.Mean, after?.Numeric?.Mean);

    private static double? Share(ColumnProfile? p) => p is null ? null : p.Count == 0 ? 0 : (double)p.MissingCount / p.Count;
}
