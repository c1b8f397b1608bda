using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Data;
using Kiln.Core.Errors;

namespace Kiln.Engine.Data;

/// <summary>
/// Versioned datasets: a file or folder added as an immutable version whose files are content-addressed objects in the
/// artifact store (each stored once, written atomically), listed in a manifest whose hash is the version id.
/// </summary>
public sealed partial class DataService(IDataStore store, IArtifactStore artifacts, TimeProvider time)
{

    /// <summary>
    /// Adds the file or folder at <paramref name="path"/> as a version of <paramref name="dataset"/>; identical content returns
    /// the existing version. In phases, so bad input stores nothing: hash every file (unchanged ones from the stat cache),
    /// profile the tables not profiled before (an unreadable one is an error here), then store the new objects, profiles
    /// and manifest in one batch (one filesystem sync, cloned or hard-linked as <paramref name="link"/> allows), and only
    /// then record the version.
    /// </summary>
    public async Task<(DatasetVersion Version, bool Created, int ObjectsStored)> AddAsync(string dataset, string path, string? message, string user,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default, FileLinkMode link = FileLinkMode.Reflink)
    {
        ValidateName(dataset);
        var files = Files(path);
        var folder = files.Count == 1 && File.Exists(path) ? Path.GetDirectoryName(files[0].Full)! : Path.GetFullPath(path);
        var cache = await store.CachedHashesAsync(folder, ct);
        var remember = new System.Collections.Concurrent.ConcurrentBag<(string, long, long, string)>();
        var listings = new System.Collections.Concurrent.ConcurrentDictionary<string, Task<HashSet<string>>>(StringComparer.Ordinal);
        var packs = await ObjectPacks.LoadAsync(artifacts, ct);
        var touched = new System.Collections.Concurrent.ConcurrentDictionary<string, Task<bool>>(StringComparer.Ordinal);
        Task<bool> TouchOnceAsync(string where, CancellationToken token) => touched.GetOrAdd(where, w => artifacts.TouchAsync(w, token));
        async Task<bool> StoredAsync(string hash, CancellationToken token) => packs.Contains(hash) || await ExistsAsync(ContentHash.ObjectPath(hash), listings, token);
        var entries = new ManifestEntry[files.Count];
        var isNew = new bool[files.Count];
        var smallBytes = new byte[]?[files.Count]; // small files' content, read once: hashed, then packed if new
        var stamps = new long[files.Count];
        var kept = 0L;
        var (done, total) = (0, files.Count * 2);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount), CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), parallel, async (i, token) =>
        {
            var (full, relative) = files[i];
            var info = new FileInfo(full);
            var (size, modified) = (info.Length, info.LastWriteTimeUtc.Ticks);
            stamps[i] = modified;
            // the stat cache: a file with the same path, size and modification time is not hashed again
            var hash = cache.TryGetValue(full, out var cached) && cached.Size == size && cached.Modified == modified ? cached.Hash : null;
            if (hash is not null && !await StoredAsync(hash, token))
            {
                hash = null; // a cached hash is trusted only for content already stored
            }
            if (hash is null && size <= ObjectPacks.MaxPackedSize && Interlocked.Add(ref kept, size) <= MaxKeptBytes)
            {
                var bytes = File.ReadAllBytes(full); // small: a synchronous read costs less than an asynchronous one
                (hash, smallBytes[i]) = (ContentHash.Of(bytes), bytes);
                size = bytes.Length;
                if (time.GetUtcNow().UtcDateTime - info.LastWriteTimeUtc > TimeSpan.FromSeconds(2))
                {
                    remember.Add((full, size, modified, hash));
                }
            }
            if (hash is null)
            {
                hash = await ContentHash.OfFileAsync(full, token);
                // a file modified in the last two seconds might change again within the same timestamp: not cached (as git does)
                if (time.GetUtcNow().UtcDateTime - info.LastWriteTimeUtc > TimeSpan.FromSeconds(2))
                {
                    remember.Add((full, size, modified, hash));
                }
            }
            // stored already: touched now (not after profiling), so a gc running meanwhile spares it; gone since: store it again
            isNew[i] = !await StoredAsync(hash, token) || !await TouchOnceAsync(packs.PackOf(hash) ?? ContentHash.ObjectPath(hash), token);
            entries[i] = new ManifestEntry(relative, hash, size);
            progress?.Report((Interlocked.Increment(ref done), total));
        });
        // tables are read and profiled before anything is stored: a ragged CSV or a corrupt Parquet file stores nothing
        var profiles = await ProfileNewTablesAsync(files, entries, listings, ct);
        var manifest = ManifestBytes(entries);
        var id = ContentHash.Of(manifest);
        var stored = 0;
        await using (var batch = artifacts.BeginBatch())
        {
            var written = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            // many small new files go into one pack (two files written instead of thousands); the rest are loose objects
            var small = Enumerable.Range(0, files.Count).Where(i => isNew[i] && entries[i].Size <= ObjectPacks.MaxPackedSize)
                .DistinctBy(i => entries[i].Hash).ToList();
            if (small.Count >= ObjectPacks.MinPackedCount)
            {
                // packs of at most 64 MiB each, built one at a time (memory stays bounded however many files there are)
                var packed = new List<(string, byte[])>();
                var packedBytes = 0L;
                foreach (var i in small)
                {
                    var bytes = smallBytes[i] ?? await ReadVerifiedAsync(files[i].Full, entries[i].Hash, ct);
                    smallBytes[i] = null;
                    packed.Add((entries[i].Hash, bytes));
                    packedBytes += bytes.Length;
                    written[ContentHash.ObjectPath(entries[i].Hash)] = true;
                    if (packedBytes >= ObjectPacks.MaxPackBytes)
                    {
                        await ObjectPacks.AddAsync(batch, packed, ct);
                        (stored, packed, packedBytes) = (stored + packed.Count, [], 0);
                    }
                }
                if (packed.Count > 0)
                {
                    await ObjectPacks.AddAsync(batch, packed, ct);
                    stored += packed.Count;
                }
            }
            await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), parallel, async (i, token) =>
            {
                var objectPath = ContentHash.ObjectPath(entries[i].Hash);
                if (isNew[i] && written.TryAdd(objectPath, true)) // two files with one content: stored once
                {
                    if (await batch.AddFileAsync(objectPath, files[i].Full, link, token) == FileLinkMode.Hardlink)
                    {
                        stamps[i] = -1; // the object is the file itself (its time now the add's): nothing to compare
                    }
                    Interlocked.Increment(ref stored);
                }
                progress?.Report((Interlocked.Increment(ref done), total));
            });
            // a file rewritten since it was hashed would be stored under a hash that is not its content's: refuse it
            foreach (var i in Enumerable.Range(0, files.Count).Where(i => isNew[i] && stamps[i] >= 0))
            {
                var info = new FileInfo(files[i].Full);
                if (!info.Exists || info.Length != entries[i].Size || info.LastWriteTimeUtc.Ticks != stamps[i])
                {
                    throw KilnException.InvalidState($"'{files[i].Relative}' changed while it was being added; nothing was recorded. Add it again once it is written.");
                }
            }
            foreach (var (hash, profile) in profiles)
            {
                await batch.AddAsync(ProfilePath(hash), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(profile.ToJson(indented: false))), ct);
            }
            if (!await StoredAsync(id, ct))
            {
                await batch.AddAsync(ContentHash.ObjectPath(id), new MemoryStream(manifest), ct);
            }
            await batch.CommitAsync(ct);
        }
        await store.RememberHashesAsync([.. remember], ct);
        var (version, created) = await store.AddVersionAsync(
            new DatasetVersion(dataset, id, message ?? "", user, time.GetUtcNow().ToUnixTimeMilliseconds(), entries.Length, entries.Sum(e => e.Size)), ct);
        return (version, created, stored);
    }

    public Task<IReadOnlyList<Dataset>> ListAsync(CancellationToken ct = default) => store.ListDatasetsAsync(ct);

    public Task<IReadOnlyList<DatasetVersion>> VersionsAsync(string dataset, CancellationToken ct = default) => store.ListVersionsAsync(dataset, ct);

    public Task<DatasetVersion> GetVersionAsync(string dataset, string version, CancellationToken ct = default) => store.GetVersionAsync(dataset, version, ct);

    /// <summary>The files of a version.</summary>
    public async Task<IReadOnlyList<ManifestEntry>> FilesAsync(DatasetVersion version, CancellationToken ct = default)
    {
        await using var stream = await OpenObjectAsync(version.VersionId, $"the manifest of {version.Dataset} {version.VersionId}", ct);
        var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes, ct);
        if (ContentHash.Of(bytes.ToArray()) != version.VersionId)
        {
            throw KilnException.InvalidState($"The manifest of {version.Dataset} {version.VersionId} is corrupt: its content no longer matches its hash.");
        }
        return JsonSerializer.Deserialize(bytes.ToArray(), DataJsonContext.Default.Manifest)!.Files;
    }

    /// <summary>Writes a version's files under <paramref name="target"/>, verifying every file's hash; returns how many were written.</summary>
    public async Task<int> GetAsync(DatasetVersion version, string target, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        var files = await FilesAsync(version, ct);
        foreach (var entry in files)
        {
            // a manifest path can never leave the target folder: relative, no '..', no rooted or drive paths
            var relative = ArtifactPath.Normalize(entry.Path);
            var destination = Path.GetFullPath(Path.Combine(root, relative));
            if (!destination.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                throw KilnException.Invalid($"The manifest of {version.VersionId} names '{entry.Path}', which is outside the target folder; nothing was written for it.");
            }
            RefuseLinkedFolders(root, relative, entry.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await CopyObjectAsync(entry, destination, ct);
        }
        return files.Count;
    }

    /// <summary>
    /// Refuses to write through a symbolic link already in the target folder (a folder of the path, or the file itself),
    /// which could point outside it.
    /// </summary>
    private static void RefuseLinkedFolders(string root, string relative, string manifestPath)
    {
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if ((File.GetAttributes(current) & FileAttributes.ReparsePoint) != 0)
                {
                    throw KilnException.Invalid($"'{manifestPath}' would be written through the symbolic link {current}, which may point outside the target folder; remove the link or get into an empty folder.");
                }
            }
        }
    }

    /// <summary>
    /// Writes the one file a <c>datasets:/</c> reference names into a new temporary folder (hash verified) and returns its
    /// path, the folder (the caller deletes it) and what a run should record as its input.
    /// </summary>
    public async Task<(string File, string Folder, DataSource Source)> MaterializeAsync(string reference, CancellationToken ct = default)
    {
        var parsed = DatasetReference.Parse(reference);
        var version = await store.GetVersionAsync(parsed.Name, parsed.Version, ct);
        var files = await FilesAsync(version, ct);
        var entry = parsed.File is { } wanted
            ? files.FirstOrDefault(f => f.Path == wanted) ?? throw KilnException.NotFound(
                $"{parsed.Name} {version.VersionId} has no file '{wanted}'; it holds: {string.Join(", ", files.Take(10).Select(f => f.Path))}.")
            : files.Count == 1 ? files[0] : throw KilnException.Invalid(
                $"{parsed.Name} {version.VersionId} holds {files.Count} files: name one, e.g. datasets:/{parsed.Name}/{version.VersionId}/{files[0].Path}.");
        var folder = Directory.CreateTempSubdirectory("kiln-data-").FullName;
        try
        {
            var path = Path.Combine(folder, Path.GetFileName(entry.Path));
            await CopyObjectAsync(entry, path, ct);
            return (path, folder, new DataSource(parsed.Name, version.VersionId, $"{DatasetReference.Scheme}{parsed.Name}/{version.VersionId}/{entry.Path}"));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static void ValidateName(string dataset)
    {
        if (string.IsNullOrWhiteSpace(dataset) || dataset.Length > 250 || dataset.Any(c => char.IsControl(c) || c is '/' or '\\' or '@'))
        {
            throw KilnException.Invalid($"Invalid dataset name '{dataset}': use up to 250 printable characters without '/', '\\' or '@', e.g. loans.");
        }
    }

    /// <summary>The files to add: the file itself, or every file under the folder (relative '/'-separated paths, sorted).</summary>
    private static List<(string Full, string Relative)> Files(string path)
    {
        if (File.Exists(path))
        {
            return new FileInfo(path).Length > 0 ? [(Path.GetFullPath(path), Path.GetFileName(path))]
                : throw KilnException.Invalid($"The file '{path}' is empty: there is nothing to version.");
        }
        if (!Directory.Exists(path))
        {
            throw KilnException.NotFound($"No file or folder at '{path}': pass the data file or folder to version.");
        }
        var root = Path.GetFullPath(path);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => (Full: f, Relative: Path.GetRelativePath(root, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw KilnException.Invalid($"The folder '{path}' holds no files: there is nothing to version.");
    }

    /// <summary>Whether a file is stored, listing each folder once per add (objects and profiles have at most 256 each).</summary>
    private async Task<bool> ExistsAsync(string path, System.Collections.Concurrent.ConcurrentDictionary<string, Task<HashSet<string>>> listings, CancellationToken ct)
    {
        var folder = path[..path.LastIndexOf('/')];
        var names = await listings.GetOrAdd(folder, async f => [.. (await artifacts.ListAsync(f, ct)).Select(e => e.Path)]);
        return names.Contains(path);
    }

    /// <summary>
    /// A stored object as a file whose hash is verified: the object itself where the store keeps files locally (hashed in
    /// place, no copy: a CSV is then memory-mapped where it lies), else a verified copy in a temporary folder that
    /// disposing the result deletes.
    /// </summary>
    public async Task<VerifiedFile> VerifiedFileAsync(ManifestEntry entry, CancellationToken ct = default)
    {
        if (artifacts.LocalPath(ContentHash.ObjectPath(entry.Hash)) is { } local)
        {
            return await ContentHash.OfFileAsync(local, ct) == entry.Hash ? new VerifiedFile(local, null) : throw Corrupt(entry);
        }
        var folder = Directory.CreateTempSubdirectory("kiln-object-").FullName;
        try
        {
            var path = Path.Combine(folder, "object");
            await CopyObjectAsync(entry, path, ct);
            return new VerifiedFile(path, folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Writes a file's stored object to <paramref name="destination"/>: through a temporary name, its hash checked, so a
    /// corrupt object is named and never leaves a file behind.
    /// </summary>
    private async Task CopyObjectAsync(ManifestEntry entry, string destination, CancellationToken ct)
    {
        var temporary = destination + ".kiln-partial";
        await using (var source = await OpenObjectAsync(entry.Hash, $"'{entry.Path}'", ct))
        await using (var file = File.Create(temporary))
        {
            await source.CopyToAsync(file, ct);
        }
        if (await ContentHash.OfFileAsync(temporary, ct) != entry.Hash)
        {
            File.Delete(temporary);
            throw Corrupt(entry);
        }
        File.Move(temporary, destination, overwrite: true);
    }

    private static KilnException Corrupt(ManifestEntry entry) => KilnException.InvalidState(
        $"The stored object for '{entry.Path}' ({entry.Hash}) is corrupt: its content does not match its hash. Add the file again to repair it.");

    private async Task<Stream> OpenObjectAsync(string hash, string what, CancellationToken ct)
    {
        try
        {
            return await artifacts.OpenReadAsync(ContentHash.ObjectPath(hash), ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            // not loose: in a pack (the packs' indexes are re-read only when the set of packs changed)
            var names = string.Join('\n', (await artifacts.ListAsync("packs/blake3", ct)).Select(p => p.Path));
            var cache = _packs;
            if (cache is null || cache.Names != names)
            {
                _packs = cache = new PackCache(names, await ObjectPacks.LoadAsync(artifacts, ct));
            }
            return await cache.Packs.OpenAsync(artifacts, hash, ct)
                ?? throw KilnException.InvalidState($"The stored object for {what} ({hash}) is missing from the artifact store at {artifacts.Root}.");
        }
    }

    private sealed record PackCache(string Names, ObjectPacks Packs);

    /// <summary>
    /// A manifest's bytes, written directly (what <see cref="DataJsonContext"/> writes for a <see cref="Manifest"/>, byte for
    /// byte: the version id is their hash), without the serializer's start-up cost on a short command.
    /// </summary>
    internal static byte[] ManifestBytes(IReadOnlyList<ManifestEntry> entries)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 + (entries.Count * 120));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("format", 1);
            json.WriteStartArray("files");
            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("path", entry.Path);
                json.WriteString("hash", entry.Hash);
                json.WriteNumber("size", entry.Size);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private volatile PackCache? _packs;

    /// <summary>Files kept in memory between hashing and packing, at most (beyond it small files are read again, and verified).</summary>
    private const long MaxKeptBytes = 256L << 20;

    private static async Task<byte[]> ReadVerifiedAsync(string file, string hash, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(file, ct);
        return ContentHash.Of(bytes) == hash ? bytes
            : throw KilnException.InvalidState($"'{file}' changed while it was being added; add it again.");
    }
}
