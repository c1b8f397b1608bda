namespace Kiln.Core.Artifacts;

/// <summary>A file or directory in an artifact store; <see cref="Path"/> is relative to the listed root, '/'-separated.</summary>
/// <param name="Path">The entry's path relative to the store root, '/'-separated.</param>
/// <param name="IsDirectory">True for a directory, false for a file.</param>
/// <param name="Size">The file's size in bytes; null for directories.</param>
public sealed record ArtifactEntry(string Path, bool IsDirectory, long? Size)
{
    /// <summary>When the file was last written, in Unix milliseconds, where the store knows it (garbage collection spares recent objects).</summary>
    public long? Modified { get; init; }
}
