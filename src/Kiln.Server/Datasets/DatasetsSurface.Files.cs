using Kiln.Core.Errors;
using Kiln.Engine.Data;
using Kiln.Server.Http;

namespace Kiln.Server.Datasets;

public sealed partial class DatasetsSurface
{
    /// <summary>Largest file one upload may version (the body is streamed to disk, never held in memory).</summary>
    private const long MaxUploadBytes = 16L << 30;

    /// <summary>Adding a version by upload, reading a version's file, and garbage collection.</summary>
    private static void MapFiles(IEndpointRouteBuilder app)
    {
        // POST /api/kiln/datasets/{name}/versions?file=loans.csv&message=…: the body is the file's content
        app.MapPost(Root + "/{name}/versions", async context =>
        {
            var name = Uri.UnescapeDataString((string)context.Request.RouteValues["name"]!);
            var file = context.Request.Query["file"].ToString();
            if (string.IsNullOrEmpty(file) || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file is "." or "..")
            {
                throw KilnException.Invalid("Name the uploaded file with ?file=NAME (a plain file name such as loans.csv; its extension says whether it is CSV or Parquet).");
            }
            if (context.Request.ContentLength > MaxUploadBytes)
            {
                throw KilnException.Invalid($"The upload is {context.Request.ContentLength:N0} bytes; at most {MaxUploadBytes:N0} are accepted per request.");
            }
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxUploadBytes; // the server's 16 MiB default is for JSON requests, not data files
            }
            var tags = context.Request.Query["tag"].Select(t => DataService.ParseTag(t ?? "")).ToList(); // checked before anything is stored
            var folder = Directory.CreateTempSubdirectory("kiln-upload-").FullName;
            try
            {
                var path = Path.Combine(folder, file);
                await using (var target = File.Create(path))
                {
                    await context.Request.Body.CopyToAsync(target, context.RequestAborted);
                }
                var data = context.RequestServices.GetRequiredService<DataService>();
                var user = context.User.Identity?.Name is { Length: > 0 } u ? u : "api";
                var (version, created, stored) = await data.AddAsync(name, path, context.Request.Query["message"].ToString(), user, null, context.RequestAborted);
                foreach (var (key, value) in tags)
                {
                    await data.TagAsync(name, version.VersionId, key, value, context.RequestAborted);
                }
                version = await data.GetVersionAsync(name, version.VersionId, context.RequestAborted);
                context.Response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
                context.Response.ContentType = "application/json";
                await using var json = new System.Text.Json.Utf8JsonWriter(context.Response.Body);
                json.WriteStartObject();
                json.WritePropertyName("version");
                WriteVersion(json, version);
                json.WriteBoolean("created", created);
                json.WriteNumber("objects_stored", stored);
                json.WriteEndObject();
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });

        // GET /api/kiln/datasets/{name}/versions/{version}/files/{path}: one file's content, its hash verified before it is sent
        app.MapGet(Root + "/{name}/versions/{version}/files/{**path}", async context =>
        {
            var data = context.RequestServices.GetRequiredService<DataService>();
            var values = context.Request.RouteValues;
            var version = await data.GetVersionAsync(Uri.UnescapeDataString((string)values["name"]!), Uri.UnescapeDataString((string)values["version"]!), context.RequestAborted);
            var wanted = Uri.UnescapeDataString((string)values["path"]!);
            var entry = (await data.FilesAsync(version, context.RequestAborted)).FirstOrDefault(f => f.Path == wanted)
                ?? throw KilnException.NotFound($"{version.Dataset} {version.VersionId} has no file '{wanted}'.");
            using var verified = await data.VerifiedFileAsync(entry, context.RequestAborted);
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = entry.Size;
            context.Response.Headers["X-Kiln-Hash"] = entry.Hash;
            Mlflow.ArtifactEndpoints.Untrusted(context.Response);
            await using var stream = File.OpenRead(verified.Path);
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
        });

        app.MapJson<DataService>(Root + "/gc", Post, async (call, data) =>
        {
            var minutes = call.Request.Int64("grace_minutes") ?? 60;
            if (minutes < 0 || minutes > DataService.MaxGrace.TotalMinutes)
            {
                throw KilnException.Invalid($"grace_minutes is {minutes}; it must be between 0 and {DataService.MaxGrace.TotalMinutes:0} (ten years).");
            }
            var dryRun = call.Request.Body is { } body && body.TryGetProperty("dry_run", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.True;
            var report = await data.CollectGarbageAsync(TimeSpan.FromMinutes(minutes), dryRun, call.Ct);
            call.Json.WriteNumber("objects", report.Objects);
            call.Json.WriteNumber("referenced", report.Referenced);
            call.Json.WriteNumber("deleted", report.Deleted);
            call.Json.WriteNumber("deleted_bytes", report.DeletedBytes);
            call.Json.WriteNumber("recent", report.Recent);
            call.Json.WriteBoolean("dry_run", dryRun);
        }, Writer);
    }
}
