using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Engine.Registry;
using Kiln.Engine.Tracking;
using Microsoft.AspNetCore.Http.Features;

namespace Kiln.Server.Mlflow;

/// <summary>
/// The artifact routes MLflow's web UI uses: <c>/get-artifact</c> (a run's file), <c>upload-artifact</c> (a file into a run)
/// and <c>/model-versions/get-artifact</c> (a model version's file, wherever its source keeps it). Paths are checked as MLflow checks them, with its "Invalid path".
/// </summary>
public static class UiArtifactEndpoints
{
    public static void MapUiArtifactEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "", "/ajax-api/2.0/mlflow" })
        {
            app.MapGet(prefix + "/get-artifact", GetArtifactAsync);
            app.MapGet(prefix + "/model-versions/get-artifact", GetModelVersionArtifactAsync);
        }
        foreach (var prefix in MlflowRouting.Prefixes)
        {
            app.MapPost(prefix + "upload-artifact", UploadArtifactAsync);
        }
    }

    private static string? Query(HttpContext context, string name) => context.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    private static async Task GetArtifactAsync(HttpContext context)
    {
        var path = ArtifactEndpoints.MlflowPath(Query(context, "path"));
        var runId = Query(context, "run_id") ?? Query(context, "run_uuid") ?? throw Core.Json.JsonValues.Missing("run_id");
        var (store, root, _) = await context.RequestServices.GetRequiredService<TrackingService>().RunArtifactsAsync(runId, context.RequestAborted);
        await SendAsync(context, store, ArtifactPath.Join(root, path), path);
    }

    /// <summary>A file of a model version (MLflow's UI route): the path is checked before the version is looked up, as MLflow does.</summary>
    private static async Task GetModelVersionArtifactAsync(HttpContext context)
    {
        var path = ArtifactEndpoints.MlflowPath(Query(context, "path"));
        var registry = context.RequestServices.GetRequiredService<RegistryService>();
        var version = await registry.GetVersionAsync(Query(context, "name"), Query(context, "version"), context.RequestAborted);
        var (store, root) = await registry.VersionFilesAsync(version, context.RequestAborted);
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(path[(path.LastIndexOf('/') + 1)..]); // quoted, and RFC 5987-encoded when not ASCII
        context.Response.Headers.ContentDisposition = disposition.ToString();
        await SendAsync(context, store, ArtifactPath.Join(root, path), path);
    }

    private static async Task SendAsync(HttpContext context, IArtifactStore store, string fullPath, string path)
    {
        await using var stream = await store.OpenReadAsync(fullPath, context.RequestAborted);
        context.Response.ContentType = ArtifactEndpoints.ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
        ArtifactEndpoints.Untrusted(context.Response);
        if (stream.CanSeek)
        {
            context.Response.ContentLength = stream.Length;
        }
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task UploadArtifactAsync(HttpContext context)
    {
        var runId = Query(context, "run_uuid") ?? Query(context, "run_id");
        if (string.IsNullOrEmpty(runId))
        {
            throw KilnException.Invalid("Request must specify run_uuid.");
        }
        var raw = Query(context, "path");
        if (string.IsNullOrEmpty(raw))
        {
            throw KilnException.Invalid("Request must specify path.");
        }
        var path = ArtifactEndpoints.MlflowPath(raw);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        // The first byte tells an empty body from a file; it is put back in front of the rest as the store reads.
        var first = new byte[1];
        if (await context.Request.Body.ReadAsync(first, context.RequestAborted) == 0)
        {
            throw KilnException.Invalid("Request must specify data.");
        }
        var (store, root, _) = await context.RequestServices.GetRequiredService<TrackingService>().RunArtifactsAsync(runId, context.RequestAborted);
        await using var content = new PrefixedStream(first, context.Request.Body);
        await store.WriteAsync(ArtifactPath.Join(root, path), content, context.RequestAborted);
        await ArtifactEndpoints.WriteJsonAsync(context, _ => { });
    }

    /// <summary>A byte already read, then the rest of a stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixLeft = prefix.Length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefixLeft > 0 && buffer.Length > 0)
            {
                var n = Math.Min(_prefixLeft, buffer.Length);
                prefix.AsMemory(prefix.Length - _prefixLeft, n).CopyTo(buffer);
                _prefixLeft -= n;
                return n;
            }
            return await rest.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
