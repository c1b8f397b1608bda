using Kiln.Core.Artifacts;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Training;

/// <summary>Writes files into a run's artifact location.</summary>
public sealed class RunArtifactWriter(ITracking tracking, string runId)
{
    public async Task WriteTextAsync(string artifactPath, string text, CancellationToken ct)
    {
        var (store, root, _) = await tracking.RunArtifactsAsync(runId, ct);
        await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        await store.WriteAsync(ArtifactPath.Join(root, artifactPath), content, ct);
    }

    /// <summary>Uploads every file under <paramref name="localDirectory"/> to <paramref name="artifactDirectory"/>.</summary>
    public async Task UploadDirectoryAsync(string localDirectory, string artifactDirectory, CancellationToken ct)
    {
        var (store, root, _) = await tracking.RunArtifactsAsync(runId, ct);
        foreach (var file in Directory.EnumerateFiles(localDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(localDirectory, file).Replace('\\', '/');
            await using var content = File.OpenRead(file);
            await store.WriteAsync(ArtifactPath.Join(root, ArtifactPath.Join(artifactDirectory, relative)), content, ct);
        }
    }
}
