using Kiln.Client.Http;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Mlflow;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Lists a run's artifacts under <paramref name="path"/> (paths relative to the run's artifact root).</summary>
    /// <remarks>MLflow's <c>artifacts/list</c>: the directory's direct children only; descend by listing a directory entry's path.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="path">A relative directory such as <c>model</c>; null (the default) lists the artifact root.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>Files (with sizes) and directories; empty if the directory does not exist.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown run or <c>INVALID_PARAMETER_VALUE</c> for a path with <c>..</c>.</exception>
    public async Task<IReadOnlyList<ArtifactEntry>> ListArtifactsAsync(string runId, string? path = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("artifacts/list", [("run_id", runId), ("path", path)], ct);
        return [.. MlflowJson.Objects(doc.RootElement, "files").Select(MlflowJson.ReadFile)];
    }

    /// <summary>Uploads a stream as a run artifact through the server's artifact proxy (streamed, not buffered).</summary>
    /// <remarks>A PUT to <c>mlflow-artifacts</c>; the run's artifact URI must be <c>mlflow-artifacts:</c>. An existing file at the path is replaced.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="artifactPath">The file's path relative to the run's artifact root, such as <c>model/model.onnx</c>; no <c>..</c> segments.</param>
    /// <param name="content">The bytes to upload, read from the current position to the end; the stream is disposed when the upload ends.</param>
    /// <param name="ct">Cancels the upload.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The run stores artifacts outside the server or the path is invalid (<c>INVALID_PARAMETER_VALUE</c>), the run does not exist, or the server rejected the upload.</exception>
    public async Task UploadArtifactAsync(string runId, string artifactPath, Stream content, CancellationToken ct = default)
    {
        var uri = await ProxyUriAsync(runId, ArtifactPath.Normalize(artifactPath), ct);
        using var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StreamContent(content) }, HttpCompletionOption.ResponseContentRead, ct);
        using var _ = await RestChannel.ReadAsync(response, ct);
    }

    /// <summary>Uploads a local file as <c>artifactDirectory/filename</c>.</summary>
    /// <remarks>As MLflow's <c>mlflow.log_artifact</c>; see <see cref="UploadArtifactAsync"/> for the requirements.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="localFile">The file to upload; its name becomes the artifact's name.</param>
    /// <param name="artifactDirectory">A relative directory such as <c>plots</c>; null (the default) is the artifact root.</param>
    /// <param name="ct">Cancels the upload.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The upload failed (see <see cref="UploadArtifactAsync"/>).</exception>
    public async Task LogArtifactAsync(string runId, string localFile, string? artifactDirectory = null, CancellationToken ct = default)
    {
        await using var file = File.OpenRead(localFile);
        await UploadArtifactAsync(runId, ArtifactPath.Join(artifactDirectory ?? "", Path.GetFileName(localFile)), file, ct);
    }

    /// <summary>The server's artifact proxy as an <see cref="IArtifactStore"/>, with paths relative to the server's artifact root.</summary>
    /// <remarks>A run whose artifact URI is <c>mlflow-artifacts:/0/RUN/artifacts</c> keeps its files under <c>0/RUN/artifacts</c> here.</remarks>
    public Artifacts.ProxiedArtifactStore ArtifactProxy => new(_rest);

    /// <summary>Opens a run artifact for reading; the caller disposes the stream.</summary>
    /// <remarks>A GET from <c>mlflow-artifacts</c>, streamed as it arrives; the run's artifact URI must be <c>mlflow-artifacts:</c>.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="artifactPath">The file's path relative to the run's artifact root, such as <c>model/MLmodel</c>.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The file's content.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The run stores artifacts outside the server or the path is invalid (<c>INVALID_PARAMETER_VALUE</c>), or there is no such run or file (<c>RESOURCE_DOES_NOT_EXIST</c>).</exception>
    public async Task<Stream> DownloadArtifactAsync(string runId, string artifactPath, CancellationToken ct = default)
    {
        var uri = await ProxyUriAsync(runId, ArtifactPath.Normalize(artifactPath), ct);
        var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead, ct);
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
        if (ArtifactUris.ProxiedPath(root) is not { } runRoot)
        {
            throw KilnException.Invalid($"Run {runId} stores artifacts at '{root}', not through the server; write them there directly.");
        }
        return _rest.ArtifactsApi(ArtifactPath.Join(runRoot, artifactPath));
    }
}
