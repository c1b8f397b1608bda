namespace Kiln.Core.Artifacts;

/// <summary>A file or directory in an artifact store; <see cref="Path"/> is relative to the listed root, '/'-separated.</summary>
public sealed record ArtifactEntry(string Path, bool IsDirectory, long? Size);
