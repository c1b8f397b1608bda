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

    /// <summary>The hash remembered for a file with exactly this path, size and modification time, or null (the stat cache).</summary>
    Task<string?> CachedHashAsync(string path, long size, long modifiedTicks, CancellationToken ct = default);

    /// <summary>Remembers a file's hash for its path, size and modification time, so an unchanged file is not hashed again.</summary>
    Task RememberHashAsync(string path, long size, long modifiedTicks, string hash, CancellationToken ct = default);
}
