using Kiln.Core.Artifacts;

namespace Kiln.Engine.Tracking;

/// <summary>Where the files a <c>runs:/RUN_ID/PATH</c> URI names are.</summary>
public static class RunFiles
{
    /// <summary>The artifact store and the path in it of a <c>runs:/</c> URI (<paramref name="defaultPath"/> when it names only the run).</summary>
    public static async Task<(IArtifactStore Store, string Path)> RunFilesAsync(this ITracking tracking, string runsUri, string defaultPath, CancellationToken ct)
    {
        var (runId, path) = ArtifactUris.ParseRunsUri(runsUri, defaultPath);
        var (store, root, _) = await tracking.RunArtifactsAsync(runId, ct);
        return (store, ArtifactPath.Join(root, path));
    }
}
