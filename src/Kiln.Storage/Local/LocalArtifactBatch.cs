using System.Runtime.InteropServices;
using Kiln.Core.Artifacts;

namespace Kiln.Storage.Local;

/// <summary>
/// A batch of local artifact writes: each file goes to the staging folder (same filesystem as the root) without its own
/// fsync; <see cref="CommitAsync"/> makes them durable (a few by fsync each, many by one syncfs of the filesystem), then
/// renames every file into place and makes the renames durable (each folder fsynced, or a second syncfs). A crash
/// before the commit leaves only staging files (removed once an hour old); after it, every file is whole. Files can be
/// cloned (FICLONE) or hard-linked instead of copied.
/// </summary>
internal sealed partial class LocalArtifactBatch(string staging, Func<string, string> resolve) : IArtifactBatch
{
    private const int BufferSize = 1 << 16;
    private const ulong FiClone = 0x40049409;
    private const int FsyncEachUpTo = 32;
    private readonly List<(string Temp, string Full)> _staged = [];
    private readonly Lock _gate = new();
    private bool _committed;

    public async Task AddAsync(string path, Stream content, CancellationToken ct = default)
    {
        var (temp, full) = Stage(path);
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
        await content.CopyToAsync(file, BufferSize, ct);
    }

    public async Task<FileLinkMode> AddFileAsync(string path, string sourceFile, FileLinkMode mode, CancellationToken ct = default)
    {
        var (temp, _) = Stage(path);
        if (mode == FileLinkMode.Hardlink && OperatingSystem.IsLinux() && Link(sourceFile, temp) == 0)
        {
            // one inode for the object and the user's file: protect it from edits in place, as DVC does, and date it now, so
            // neither the staging clean-up nor gc's grace period takes a fresh object for an old one
            File.SetUnixFileMode(temp, File.GetUnixFileMode(temp) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
            return FileLinkMode.Hardlink;
        }
        await using (var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan))
        await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
        {
            if (mode != FileLinkMode.Copy && OperatingSystem.IsLinux()
                && Ioctl((int)target.SafeFileHandle.DangerousGetHandle(), FiClone, (int)source.SafeFileHandle.DangerousGetHandle()) == 0)
            {
                return FileLinkMode.Reflink;
            }
            await source.CopyToAsync(target, BufferSize, ct);
        }
        return FileLinkMode.Copy;
    }

    public Task CommitAsync(CancellationToken ct = default)
    {
        List<(string Temp, string Full)> staged;
        lock (_gate)
        {
            staged = [.. _staged];
            _committed = true;
        }
        if (staged.Count == 0)
        {
            return Task.CompletedTask;
        }
        // every staged file's data on disk before any becomes visible: a few files each by fsync (syncfs would also flush
        // whatever else is dirty on the filesystem), many files with one syncfs
        var many = staged.Count > FsyncEachUpTo;
        if (many)
        {
            Sync(staged[0].Temp);
        }
        else
        {
            // in parallel: the filesystem's journal can commit them together
            Parallel.ForEach(staged, file =>
            {
                using var handle = File.OpenHandle(file.Temp, FileMode.Open, FileAccess.Read);
                RandomAccess.FlushToDisk(handle);
            });
        }
        foreach (var (temp, full) in staged)
        {
            ct.ThrowIfCancellationRequested();
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.Move(temp, full, overwrite: true);
        }
        if (many)
        {
            Sync(staged[0].Full); // and the renames
        }
        else
        {
            Parallel.ForEach(staged.Select(f => Path.GetDirectoryName(f.Full)!).Distinct(StringComparer.Ordinal), SyncDirectory); // the renames
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var (temp, _) in _staged)
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
            _staged.Clear();
        }
        return ValueTask.CompletedTask;
    }

    private (string Temp, string Full) Stage(string path)
    {
        var full = resolve(path);
        var temp = Path.Combine(staging, $"{Guid.NewGuid():N}.upload");
        lock (_gate)
        {
            if (_committed)
            {
                throw new InvalidOperationException("This artifact batch is committed; begin another.");
            }
            _staged.Add((temp, full));
        }
        return (temp, full);
    }

    /// <summary>Syncs the filesystem holding <paramref name="anyFile"/> (Linux syncfs; elsewhere the file itself).</summary>
    private static void Sync(string anyFile)
    {
        using var handle = File.OpenHandle(anyFile, FileMode.Open, FileAccess.Read);
        if (!OperatingSystem.IsLinux() || SyncFs((int)handle.DangerousGetHandle()) != 0)
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>fsync of a directory (Linux; elsewhere nothing), so renames into it are durable.</summary>
    private static void SyncDirectory(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(folder, 0); // O_RDONLY opens a directory too (O_DIRECTORY's value differs between architectures)
        if (fd >= 0)
        {
            _ = FSync(fd);
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, int source);
}
