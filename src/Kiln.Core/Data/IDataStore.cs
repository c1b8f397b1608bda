namespace Kiln.Core.Data;

/// <summary>Dataset and version records (the files themselves are content-addressed objects in the artifact store).</summary>
public interface IDataStore
{
    /// <summary>
    /// Records a version; a version with the same id already recorded for the dataset is returned instead (identical
    /// content is one version). Safe when several processes add versions at once.
    /// </summary>
    Task<(DatasetVersion Version, bool Created)> AddVersionAsync(DatasetVersion version, CancellationToken ct = default);

    /// <summary>Every dataset, by name.</summary>
    Task<IReadOnlyList<Dataset>> ListDatasetsAsync(CancellationToken ct = default);

    /// <summary>A dataset's versions, newest first; RESOURCE_DOES_NOT_EXIST for an unknown dataset.</summary>
    Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string dataset, CancellationToken ct = default);

    /// <summary>One version by id, a unique prefix of its hash, or <c>latest</c>; RESOURCE_DOES_NOT_EXIST when there is none.</summary>
    Task<DatasetVersion> GetVersionAsync(string dataset, string version, CancellationToken ct = default);

    /// <summary>The stat cache's entries for files under a folder: path → (size, modification time, hash).</summary>
    Task<IReadOnlyDictionary<string, (long Size, long Modified, string Hash)>> CachedHashesAsync(string folder, CancellationToken ct = default);

    /// <summary>Remembers files' hashes by path, size and modification time (one transaction), so unchanged files are not hashed again.</summary>
    Task RememberHashesAsync(IReadOnlyList<(string Path, long Size, long Modified, string Hash)> files, CancellationToken ct = default);
}
