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

    /// <summary>Sets a version's tag (replacing its value); RESOURCE_DOES_NOT_EXIST for an unknown version.</summary>
    Task SetTagAsync(string dataset, string versionId, string key, string value, CancellationToken ct = default);

    /// <summary>Deletes a version's tag; RESOURCE_DOES_NOT_EXIST when it has no such tag.</summary>
    Task DeleteTagAsync(string dataset, string versionId, string key, CancellationToken ct = default);

    /// <summary>Saves a schema version (the same text saved again is the same version, returned as it was first saved).</summary>
    Task<DatasetSchemaVersion> AddSchemaAsync(DatasetSchemaVersion schema, CancellationToken ct = default);

    /// <summary>A dataset's schema versions, newest first (empty when it has none).</summary>
    Task<IReadOnlyList<DatasetSchemaVersion>> ListSchemasAsync(string dataset, CancellationToken ct = default);

    /// <summary>Stores a validation result.</summary>
    Task AddValidationAsync(DatasetValidation validation, CancellationToken ct = default);

    /// <summary>A dataset's validations, newest first, optionally of one version only.</summary>
    Task<IReadOnlyList<DatasetValidation>> ListValidationsAsync(string dataset, string? versionId, CancellationToken ct = default);

    /// <summary>One validation by id; RESOURCE_DOES_NOT_EXIST when there is none.</summary>
    Task<DatasetValidation> GetValidationAsync(string id, CancellationToken ct = default);
}
