using Kiln.Client;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Registry;

/// <summary>Resolves <c>models:/</c> URIs through a Kiln (or MLflow) server's registry API, as MLflow's client does.</summary>
public sealed class RemoteModelFiles(KilnClient client, ITracking tracking) : IModelFiles
{
    /// <inheritdoc />
    public async Task<(ModelVersion Version, IArtifactStore Store, string Path)> LocateAsync(string modelsUri, CancellationToken ct = default)
    {
        var uri = ModelUri.Parse(modelsUri);
        ModelVersion version;
        if (uri.Version is { } number)
        {
            version = await client.GetModelVersionAsync(uri.Name, number, ct);
        }
        else if (uri.Alias is { } alias)
        {
            version = await client.GetModelVersionByAliasAsync(uri.Name, alias, ct);
        }
        else
        {
            var model = await client.GetRegisteredModelAsync(uri.Name, ct);
            version = model.LatestVersions.Where(v => uri.Stage is null || v.CurrentStage == uri.Stage).MaxBy(v => v.Version)
                ?? throw KilnException.NotFound($"No versions of model with name '{uri.Name}'{(uri.Stage is null ? "" : $" and stage '{uri.Stage}'")} found");
        }
        var source = await client.GetModelVersionDownloadUriAsync(version.Name, version.Version, ct);
        if (ArtifactUris.IsRunsUri(source))
        {
            var (store, runPath) = await tracking.RunFilesAsync(source, "", ct);
            return (version, store, runPath);
        }
        return ArtifactUris.ProxiedPath(source) is { } path
            ? (version, client.ArtifactProxy, path)
            : throw KilnException.Invalid($"Model '{version.Name}' version {version.Version} keeps its files at '{source}', which Kiln cannot read through the server; download them from there.");
    }
}
