using Kiln.Core.Errors;

namespace Kiln.Engine.Data;

/// <summary>What <see cref="DataService.CollectGarbageAsync"/> found and did.</summary>
/// <param name="Objects">Objects stored in all.</param>
/// <param name="Referenced">Objects some version references (its files and manifests).</param>
/// <param name="Deleted">Unreferenced objects deleted (or, on a dry run, that would be).</param>
/// <param name="DeletedBytes">Their total size.</param>
/// <param name="Recent">Unreferenced objects spared because they are younger than the grace period (a writer may be about to reference them).</param>
public sealed record GarbageReport(int Objects, int Referenced, int Deleted, long DeletedBytes, int Recent);

public sealed partial class DataService
{
    /// <summary>Sets a tag on a version.</summary>
    public async Task TagAsync(string dataset, string version, string key, string value, CancellationToken ct = default)
    {
        CheckTag(key, value);
        await store.SetTagAsync(dataset, version, key, value, ct);
    }

    /// <summary>A tag written <c>KEY=VALUE</c> (the CLI's <c>--tag</c>, the upload route's <c>tag=</c>), checked as <see cref="CheckTag"/> does.</summary>
    public static (string Key, string Value) ParseTag(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw KilnException.Invalid($"Invalid tag '{text}': write KEY=VALUE, e.g. stage=approved.");
        }
        var (key, value) = (text[..equals], text[(equals + 1)..]);
        CheckTag(key, value);
        return (key, value);
    }

    /// <summary>Throws for a tag that cannot be kept (so an add can check its tags before it stores anything).</summary>
    public static void CheckTag(string key, string value)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 250 || key.Any(char.IsControl))
        {
            throw KilnException.Invalid($"Invalid tag key '{key}': use 1 to 250 printable characters, e.g. stage=approved.");
        }
        if (value.Length > 5000)
        {
            throw KilnException.Invalid($"The value of tag '{key}' has {value.Length} characters; at most 5,000 are kept.");
        }
    }

    /// <summary>The longest grace period gc takes (ten years), so a huge one is not an overflow.</summary>
    public static readonly TimeSpan MaxGrace = TimeSpan.FromDays(3650);

    /// <summary>Deletes a tag from a version.</summary>
    public Task UntagAsync(string dataset, string version, string key, CancellationToken ct = default) => store.DeleteTagAsync(dataset, version, key, ct);

    /// <summary>
    /// Deletes stored objects (and their profiles) that no version references, and packs none of whose objects is
    /// referenced. Safe while others add data: the objects are listed first and the versions read after, and an
    /// unreferenced object or pack younger than <paramref name="grace"/> is kept, since an add stores its objects before
    /// it records its version (and touches the ones it reuses).
    /// </summary>
    public async Task<GarbageReport> CollectGarbageAsync(TimeSpan grace, bool dryRun, CancellationToken ct = default)
    {
        var objects = new List<Core.Artifacts.ArtifactEntry>();
        foreach (var algorithm in (await artifacts.ListAsync("objects", ct)).Where(e => e.IsDirectory))
        {
            foreach (var folder in (await artifacts.ListAsync(algorithm.Path, ct)).Where(e => e.IsDirectory))
            {
                objects.AddRange((await artifacts.ListAsync(folder.Path, ct)).Where(e => !e.IsDirectory));
            }
        }
        var packs = await ObjectPacks.LoadAsync(artifacts, ct); // listed before the versions are read, as the loose objects
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dataset in await store.ListDatasetsAsync(ct))
        {
            foreach (var version in await store.ListVersionsAsync(dataset.Name, ct))
            {
                referenced.Add(ContentHash.ObjectPath(version.VersionId));
                foreach (var file in await FilesAsync(version, ct))
                {
                    referenced.Add(ContentHash.ObjectPath(file.Hash));
                }
            }
        }
        var cutoff = time.GetUtcNow().Add(-(grace > MaxGrace ? MaxGrace : grace)).ToUnixTimeMilliseconds();
        var (deleted, bytes, recent) = (0, 0L, 0);
        var fresh = new Dictionary<string, Dictionary<string, long?>>(StringComparer.Ordinal);
        async Task<long?> ModifiedNowAsync(string path)
        {
            // read again right before deleting: an add may have touched it since the listing
            var folder = path[..path.LastIndexOf('/')];
            if (!fresh.TryGetValue(folder, out var times))
            {
                fresh[folder] = times = (await artifacts.ListAsync(folder, ct)).ToDictionary(e => e.Path, e => e.Modified, StringComparer.Ordinal);
            }
            return times.GetValueOrDefault(path);
        }
        foreach (var entry in objects.Where(o => !referenced.Contains(o.Path)))
        {
            if (entry.Modified is not { } modified || modified > cutoff || (!dryRun && (await ModifiedNowAsync(entry.Path) ?? long.MaxValue) > cutoff))
            {
                recent++;
                continue;
            }
            deleted++;
            bytes += entry.Size ?? 0;
            if (!dryRun)
            {
                await DeleteIfPresentAsync(entry.Path, ct);
                var (algorithm, hex) = (entry.Path.Split('/')[1], entry.Path.Split('/')[2] + entry.Path.Split('/')[3]);
                await DeleteIfPresentAsync(ProfilePath($"{algorithm}:{hex}"), ct);
            }
        }
        // a pack goes when none of its objects is referenced, through any index naming it (packs are not rewritten)
        var (packedObjects, packedReferenced) = (0, 0);
        var usedPacks = packs.Packs.Where(p => p.Hashes.Any(h => referenced.Contains(ContentHash.ObjectPath(h)))).Select(p => p.Pack.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (pack, index, hashes) in packs.Packs)
        {
            var used = usedPacks.Contains(pack.Path) ? hashes.Count(h => referenced.Contains(ContentHash.ObjectPath(h))) : 0;
            if (used == 0 && usedPacks.Contains(pack.Path))
            {
                continue; // another index of the same pack is in use
            }
            (packedObjects, packedReferenced) = (packedObjects + hashes.Count, packedReferenced + used);
            if (used > 0)
            {
                continue;
            }
            if (pack.Modified is not { } modified || modified > cutoff)
            {
                recent += hashes.Count;
                continue;
            }
            deleted += hashes.Count;
            bytes += pack.Size ?? 0;
            if (!dryRun)
            {
                await DeleteIfPresentAsync(index, ct); // the index first: a pack without one is never read
                await DeleteIfPresentAsync(pack.Path, ct);
                foreach (var hash in hashes)
                {
                    await DeleteIfPresentAsync(ProfilePath(hash), ct);
                }
            }
        }
        return new GarbageReport(objects.Count + packedObjects, objects.Count(o => referenced.Contains(o.Path)) + packedReferenced, deleted, bytes, recent);
    }

    private async Task DeleteIfPresentAsync(string path, CancellationToken ct)
    {
        try
        {
            await artifacts.DeleteAsync(path, ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            // deleted meanwhile, or never profiled
        }
    }
}
