using Kiln.Core.Artifacts;
using Kiln.Core.Errors;

namespace Kiln.Engine.Tracking;

public sealed partial class TrackingService
{
    /// <summary>The artifact store and the path inside it where a run's artifacts live.</summary>
    public async Task<(IArtifactStore Store, string Path, string RootUri)> RunArtifactsAsync(string runId, CancellationToken ct = default)
    {
        var run = await store.GetRunAsync(runId, ct);
        var uri = run.Info.ArtifactUri;
        if (ArtifactUris.ProxiedPath(uri) is { } proxied)
        {
            return (artifacts, proxied, uri);
        }
        var local = uri.StartsWith("file://", StringComparison.Ordinal) ? new Uri(uri).LocalPath : uri;
        var root = artifacts.Root.TrimEnd('/') + "/";
        if (Path.IsPathRooted(local) && Path.GetFullPath(local).StartsWith(root, StringComparison.Ordinal))
        {
            return (artifacts, Path.GetFullPath(local)[root.Length..], uri);
        }
        throw KilnException.Invalid($"Run {runId} keeps its artifacts at '{uri}', which this server does not serve. Read them from that location directly.");
    }

    /// <summary>Lists a run's artifacts under <paramref name="path"/>; entry paths are relative to the run's artifact root.</summary>
    public async Task<(string RootUri, IReadOnlyList<ArtifactEntry> Files)> ListRunArtifactsAsync(string runId, string? path, CancellationToken ct = default)
    {
        var (artifactStore, runRoot, rootUri) = await RunArtifactsAsync(runId, ct);
        var relative = ArtifactPath.Normalize(path, allowEmpty: true);
        var entries = await artifactStore.ListAsync(ArtifactPath.Join(runRoot, relative), ct);
        var prefix = runRoot.Length == 0 ? 0 : runRoot.Length + 1;
        return (rootUri, [.. entries.Select(e => e with { Path = e.Path[prefix..] })]);
    }
}
