using Kiln.Core.Artifacts;
using Kiln.Core.Errors;

namespace Kiln.Storage.Local;

/// <summary>
/// Artifacts in a local directory. Writes stream to a temporary file in a staging folder beside the root (same file
/// system, outside the artifact tree), flushed and renamed into place: readers never see a partial file, and a file of
/// any name — <c>*.tmp</c> included — is an artifact like any other. Staging files an interrupted process left behind
/// are removed when a store is opened on the root.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private const int BufferSize = 81920;

    /// <summary>A staging file untouched this long belongs to no live upload.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _staging;

    public LocalArtifactStore(string root)
    {
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        Directory.CreateDirectory(_root);
        _staging = Path.Combine(Path.GetDirectoryName(_root) ?? _root, "." + Path.GetFileName(_root) + ".staging");
        Directory.CreateDirectory(_staging);
        RemoveAbandonedStagingFiles();
    }

    /// <summary>Where uploads are written before they are renamed into the tree.</summary>
    public string StagingDirectory => _staging;

    public string Root => _root;

    public async Task WriteAsync(string path, Stream content, CancellationToken ct = default)
    {
        var full = Resolve(path, allowRoot: false);
        if (Directory.Exists(full))
        {
            throw KilnException.Invalid($"Cannot write artifact '{path}': a directory of that name exists.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(_staging, $"{Guid.NewGuid():N}.upload");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, BufferSize, ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public IArtifactBatch BeginBatch() => new LocalArtifactBatch(_staging, path =>
    {
        var full = Resolve(path, allowRoot: false);
        return Directory.Exists(full) ? throw KilnException.Invalid($"Cannot write artifact '{path}': a directory of that name exists.") : full;
    });

    public string? LocalPath(string path) => Resolve(path, allowRoot: false) is var full && File.Exists(full) ? full : null;

    public Task<bool> TouchAsync(string path, CancellationToken ct = default)
    {
        var full = Resolve(path, allowRoot: false);
        if (!File.Exists(full))
        {
            return Task.FromResult(false);
        }
        try
        {
            File.SetLastWriteTimeUtc(full, DateTime.UtcNow);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult(false); // deleted meanwhile: the caller writes it again
        }
        catch (UnauthorizedAccessException)
        {
            // another user's file in a shared store: it exists, its time cannot be refreshed by us
        }
        return Task.FromResult(true);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken ct = default)
    {
        var full = Resolve(path, allowRoot: false);
        if (!File.Exists(full))
        {
            throw KilnException.NotFound($"Artifact '{path}' does not exist.");
        }
        return Task.FromResult<Stream>(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize,
            FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    public Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: true);
        var full = Resolve(relative, allowRoot: true);
        if (!Directory.Exists(full))
        {
            return Task.FromResult<IReadOnlyList<ArtifactEntry>>([]);
        }
        var entries = new List<ArtifactEntry>();
        foreach (var info in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            var entryPath = ArtifactPath.Join(relative, info.Name);
            entries.Add(info is FileInfo file
                ? new ArtifactEntry(entryPath, false, file.Length) { Modified = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds() }
                : new ArtifactEntry(entryPath, true, null));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return Task.FromResult<IReadOnlyList<ArtifactEntry>>(entries);
    }

    public Task DeleteAsync(string path, CancellationToken ct = default)
    {
        var full = Resolve(path, allowRoot: false);
        if (File.Exists(full))
        {
            File.Delete(full);
        }
        else if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        else
        {
            throw KilnException.NotFound($"Artifact '{path}' does not exist.");
        }
        return Task.CompletedTask;
    }

    private void RemoveAbandonedStagingFiles()
    {
        foreach (var file in new DirectoryInfo(_staging).EnumerateFiles("*.upload"))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > AbandonedAfter)
            {
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private string Resolve(string path, bool allowRoot)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: allowRoot);
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (!full.StartsWith(_root, StringComparison.Ordinal))
        {
            throw KilnException.Invalid($"Invalid artifact path '{path}': it resolves outside the artifact root.");
        }
        return full;
    }
}
