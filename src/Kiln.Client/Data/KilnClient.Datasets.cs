using System.Text.Json;
using Kiln.Core.Data;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Every versioned dataset on the server, with its version count and latest version.</summary>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The datasets, by name.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server could not be reached or failed the call.</exception>
    public async Task<IReadOnlyList<Dataset>> ListDatasetsAsync(CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/datasets", [], ct);
        return [.. doc.RootElement.GetProperty("datasets").EnumerateArray().Select(d => new Dataset(d.GetProperty("name").GetString()!,
            d.GetProperty("created_at").GetInt64(), d.GetProperty("version_count").GetInt32(),
            d.TryGetProperty("latest", out var latest) ? ReadVersion(latest) : null))];
    }

    /// <summary>A dataset's versions, newest first.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The versions.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_DOES_NOT_EXIST</c> for an unknown dataset.</exception>
    public async Task<IReadOnlyList<DatasetVersion>> ListDatasetVersionsAsync(string dataset, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/datasets/{Uri.EscapeDataString(dataset)}/versions", [], ct);
        return [.. doc.RootElement.GetProperty("versions").EnumerateArray().Select(ReadVersion)];
    }

    /// <summary>One version of a dataset and its files.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="version">A version id, a unique prefix of its hash, or <c>latest</c>.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The version and its files (relative path, content hash, size).</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_DOES_NOT_EXIST</c> for an unknown dataset or version.</exception>
    public async Task<(DatasetVersion Version, IReadOnlyList<ManifestEntry> Files)> GetDatasetVersionAsync(string dataset, string version = "latest", CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/datasets/{Uri.EscapeDataString(dataset)}/versions/{Uri.EscapeDataString(version)}", [], ct);
        var files = doc.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => new ManifestEntry(f.GetProperty("path").GetString()!, f.GetProperty("hash").GetString()!, f.GetProperty("size").GetInt64()));
        return (ReadVersion(doc.RootElement.GetProperty("version")), [.. files]);
    }

    private static DatasetVersion ReadVersion(JsonElement v) => new(v.GetProperty("dataset").GetString()!, v.GetProperty("version_id").GetString()!,
        v.GetProperty("message").GetString()!, v.GetProperty("user_id").GetString()!, v.GetProperty("created_at").GetInt64(),
        v.GetProperty("file_count").GetInt32(), v.GetProperty("total_bytes").GetInt64())
    {
        Tags = v.TryGetProperty("tags", out var tags) ? tags.EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString()!) : new Dictionary<string, string>(),
    };

    private static string DatasetPath(string dataset) => $"api/kiln/datasets/{Uri.EscapeDataString(dataset)}";

    private static string VersionPath(string dataset, string version) => $"{DatasetPath(dataset)}/versions/{Uri.EscapeDataString(version)}";
}
