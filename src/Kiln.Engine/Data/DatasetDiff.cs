namespace Kiln.Engine.Data;

/// <summary>How one file differs between two versions: added, removed or changed (same path, other content).</summary>
/// <param name="Path">The file's path in the dataset.</param>
/// <param name="Change">"added", "removed" or "changed".</param>
/// <param name="OldSize">Its size in the first version (null when added).</param>
/// <param name="NewSize">Its size in the second version (null when removed).</param>
/// <param name="Schema">For a changed CSV file: what changed in its columns and rows, e.g. "rows 400 → 512; column 'debt' added"; null otherwise.</param>
public sealed record FileChange(string Path, string Change, long? OldSize, long? NewSize, string? Schema);
