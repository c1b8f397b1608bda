using Kiln.Client.Http;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    private const string ProxiedScheme = "mlflow-artifacts:";

    /// <summary>Lists a run's artifacts under <paramref name="path"/> (paths relative to the run's artifact root).</summary>
    public async Task<IReadOnlyList<ArtifactEntry>> ListArtifactsAsync(string runId, string? path = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("artifacts/list", [("run_id", runId), ("path", path)], ct);
        return doc.RootElement.TryGetProperty("files", out var files) ? [.. files.EnumerateArray().Select(ClientJson.File)] : [];
    }

    /// <summary>Uploads a stream as a run artifact through the server's artifact proxy (streamed, not buffered).</summary>
    public async Task UploadArtifactAsync(string runId, string artifactPath, Stream content, CancellationToken ct = default)
    {
        var uri = await ProxyUriAsync(runId, ArtifactPath.Normalize(artifactPath), ct);
        using var body = new StreamContent(content);
        using var response = await _rest.Http.PutAsync(uri, body, ct);
        using var _ = await RestChannel.ReadAsync(response, ct);
    }

    /// <summary>Uploads a local file as <c>artifactDirectory/filename</c>.</summary>
    public async Task LogArtifactAsync(string runId, string localFile, string? artifactDirectory = null, CancellationToken ct = default)
    {
        await using var file = File.OpenRead(localFile);
        await UploadArtifactAsync(runId, ArtifactPath.Join(artifactDirectory ?? "", Path.GetFileName(localFile)), file, ct);
    }

    /// <summary>Opens a run artifact for reading; the caller disposes the stream.</summary>
    public async Task<Stream> DownloadArtifactAsync(string runId, string artifactPath, CancellationToken ct = default)
    {
        var uri = await ProxyUriAsync(runId, ArtifactPath.Normalize(artifactPath), ct);
        var response = await _rest.Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            response.Dispose();
            throw RestChannel.ToException(response, body);
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    private async Task<Uri> ProxyUriAsync(string runId, string artifactPath, CancellationToken ct)
    {
        var run = await GetRunAsync(runId, ct);
        var root = run.Info.ArtifactUri;
        if (!root.StartsWith(ProxiedScheme, StringComparison.Ordinal))
        {
            throw KilnException.Invalid($"Run {runId} stores artifacts at '{root}', not through the server; write them there directly.");
        }
        var relative = ArtifactPath.Join(root[ProxiedScheme.Length..].TrimStart('/'), artifactPath);
        return new Uri(_rest.BaseUri, "api/2.0/mlflow-artifacts/artifacts/" + string.Join('/', relative.Split('/').Select(Uri.EscapeDataString)));
    }
}
