namespace Kiln.Core.Artifacts;

/// <summary>How a file is placed in an artifact store when the store and the file share a filesystem.</summary>
public enum FileLinkMode
{
    /// <summary>A copy of the bytes.</summary>
    Copy,

    /// <summary>A copy-on-write clone (btrfs, XFS, APFS…) where the filesystem has one, else a copy: as safe as a copy, no bytes written.</summary>
    Reflink,

    /// <summary>
    /// A hard link where possible, else a copy: nothing is written, but the stored object and the file are then one file,
    /// so the file is made read-only (as DVC's protected hard links) and must not be edited in place.
    /// </summary>
    Hardlink,
}

/// <summary>
/// Writes that become durable together (one sync for the batch instead of one per file) and visible at
/// <see cref="CommitAsync"/>: nothing added is visible before, and what was not committed is removed on dispose.
/// </summary>
public interface IArtifactBatch : IAsyncDisposable
{
    /// <summary>Adds a file with the content of a stream.</summary>
    Task AddAsync(string path, Stream content, CancellationToken ct = default);

    /// <summary>Adds a local file's content (cloned, linked or copied as <paramref name="mode"/> allows); returns the way it was placed.</summary>
    Task<FileLinkMode> AddFileAsync(string path, string sourceFile, FileLinkMode mode, CancellationToken ct = default);

    /// <summary>Makes every added file durable, then visible under its path.</summary>
    Task CommitAsync(CancellationToken ct = default);
}

/// <summary>The batch of a store that has no cheaper way: each file is written (atomically, durably) as it is added.</summary>
public sealed class SequentialArtifactBatch(IArtifactStore store) : IArtifactBatch
{
    /// <inheritdoc />
    public Task AddAsync(string path, Stream content, CancellationToken ct = default) => store.WriteAsync(path, content, ct);

    /// <inheritdoc />
    public async Task<FileLinkMode> AddFileAsync(string path, string sourceFile, FileLinkMode mode, CancellationToken ct = default)
    {
        await using var stream = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await store.WriteAsync(path, stream, ct);
        return FileLinkMode.Copy;
    }

    /// <inheritdoc />
    public Task CommitAsync(CancellationToken ct = default) => Task.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
