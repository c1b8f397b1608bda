using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Packaging;

/// <summary>
/// Resolves a model reference to a local package directory: a directory path as is, <c>runs:/RUN_ID/path</c> (MLflow's
/// URI form) copied out of the run's artifacts, or a registry URI (<c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>,
/// <c>models:/NAME/latest</c>) copied out of wherever the version's files are, into a temporary directory.
/// </summary>
public sealed class ModelLocator(ITracking tracking, Registry.IModelFiles? models = null)
{
    /// <summary>Returns the package directory and whether the caller should delete it afterwards.</summary>
    public async Task<(string Directory, bool Temporary)> ResolveAsync(string reference, CancellationToken ct)
    {
        if (Core.Registry.ModelUri.Is(reference))
        {
            var located = await (models ?? throw KilnException.Invalid($"'{reference}' names a registered model, but no model registry is configured here."))
                .LocateAsync(reference, ct);
            return (await CopyOutAsync(located.Store, located.Path,
                $"Model '{located.Version.Name}' version {located.Version.Version} has no files at its source '{located.Version.Source}'.", ct), true);
        }
        if (!ArtifactUris.IsRunsUri(reference))
        {
            return Directory.Exists(reference)
                ? (reference, false)
                : throw KilnException.NotFound($"Model '{reference}' not found: pass a model package directory, runs:/RUN_ID/model or models:/NAME@ALIAS.");
        }
        var (runId, subPath) = ArtifactUris.ParseRunsUri(reference, "model");
        var (store, path) = await tracking.RunFilesAsync(reference, "model", ct);
        return (await CopyOutAsync(store, path, $"Run {runId} has no artifacts under '{subPath}'; list them with 'kiln runs show {runId}'.", ct), true);
    }

    private static async Task<string> CopyOutAsync(IArtifactStore store, string path, string whenEmpty, CancellationToken ct)
    {
        var target = System.IO.Directory.CreateTempSubdirectory("kiln-model-").FullName;
        int copied;
        try
        {
            copied = await CopyAsync(store, path, target, ct);
        }
        catch
        {
            System.IO.Directory.Delete(target, recursive: true); // a copy cancelled or failed half-way leaves no folder behind
            throw;
        }
        if (copied == 0)
        {
            System.IO.Directory.Delete(target, recursive: true);
            throw KilnException.NotFound(whenEmpty);
        }
        return target;
    }

    private static async Task<int> CopyAsync(IArtifactStore store, string path, string target, CancellationToken ct)
    {
        var count = 0;
        foreach (var entry in await store.ListAsync(path, ct))
        {
            var local = Path.Combine(target, entry.Path[(entry.Path.LastIndexOf('/') + 1)..]);
            if (entry.IsDirectory)
            {
                System.IO.Directory.CreateDirectory(local);
                count += await CopyAsync(store, entry.Path, local, ct);
                continue;
            }
            await using var source = await store.OpenReadAsync(entry.Path, ct);
            await using var file = File.Create(local);
            await source.CopyToAsync(file, ct);
            count++;
        }
        return count;
    }
}
