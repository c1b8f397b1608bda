using System.Net;
using Kiln.Client.Http;
using Kiln.Core.Artifacts;
using Kiln.Core.Mlflow;

namespace Kiln.Client.Artifacts;

/// <summary>
/// A tracking server's artifact proxy (MLflow's <c>mlflow-artifacts</c> API) as an <see cref="IArtifactStore"/>: paths are
/// relative to the server's artifact root, as in a run's <c>mlflow-artifacts:/…</c> artifact URI. Uploads and downloads stream.
/// </summary>
public sealed class ProxiedArtifactStore : IArtifactStore
{
    private readonly RestChannel _rest;

    internal ProxiedArtifactStore(RestChannel rest) => _rest = rest;

    /// <summary>The proxy's address, for messages.</summary>
    public string Root => _rest.ArtifactsApi("").AbsoluteUri;

    /// <inheritdoc />
    public async Task WriteAsync(string path, Stream content, CancellationToken ct = default)
    {
        using var response = await _rest.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, _rest.ArtifactsApi(ArtifactPath.Normalize(path))) { Content = new StreamContent(content) }, HttpCompletionOption.ResponseContentRead, ct);
        using var _ = await RestChannel.ReadAsync(response, ct);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct = default)
    {
        var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Get, _rest.ArtifactsApi(ArtifactPath.Normalize(path))), HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            response.Dispose();
            throw RestChannel.ToException(response, body);
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken ct = default)
    {
        var directory = ArtifactPath.Normalize(path, allowEmpty: true);
        var uri = new Uri(_rest.ArtifactsApi("").AbsoluteUri.TrimEnd('/') + (directory.Length == 0 ? "" : "?path=" + Uri.EscapeDataString(directory)));
        using var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        using var doc = await RestChannel.ReadAsync(response, ct);
        // The proxy answers names relative to the listed directory; the store contract is paths from the root.
        return [.. MlflowJson.Objects(doc.RootElement, "files").Select(MlflowJson.ReadFile)
            .Select(e => e with { Path = ArtifactPath.Join(directory, e.Path) })
            .OrderBy(e => e.Path, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, CancellationToken ct = default)
    {
        using var response = await _rest.SendAsync(new HttpRequestMessage(HttpMethod.Delete, _rest.ArtifactsApi(ArtifactPath.Normalize(path))), HttpCompletionOption.ResponseContentRead, ct);
        using var _ = await RestChannel.ReadAsync(response, ct);
    }
}
