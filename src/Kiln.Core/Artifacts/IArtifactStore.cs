namespace Kiln.Core.Artifacts;

/// <summary>
/// Blob storage for run artifacts and model packages, addressed by relative '/'-separated paths.
/// Writes are atomic (a reader sees the old file or the whole new one) and streamed.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Where this store lives, for messages and <c>root_uri</c>.</summary>
    string Root { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, replacing any file there.</summary>
    Task WriteAsync(string path, Stream content, CancellationToken ct = default);

    /// <summary>Opens a file for reading; RESOURCE_DOES_NOT_EXIST if there is none.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken ct = default);

    /// <summary>The direct children of a directory (empty if it does not exist or is a file), sorted by path.</summary>
    Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken ct = default);

    /// <summary>Deletes a file or a directory tree; RESOURCE_DOES_NOT_EXIST if neither exists.</summary>
    Task DeleteAsync(string path, CancellationToken ct = default);

    /// <summary>
    /// Marks an existing file as just used (its modification time set to now), so garbage collection's grace period
    /// spares content a writer is about to reference again; false when the file is gone (write it again). Stores that
    /// cannot touch answer true.
    /// </summary>
    Task<bool> TouchAsync(string path, CancellationToken ct = default) => Task.FromResult(true);

    /// <summary>The file's path on this machine when the store keeps files locally (so a reader can map it in place), else null.</summary>
    string? LocalPath(string path) => null;

    /// <summary>Begins a batch of writes made durable together and visible at commit (stores without a cheaper way write each file as it is added).</summary>
    IArtifactBatch BeginBatch() => new SequentialArtifactBatch(this);
}
