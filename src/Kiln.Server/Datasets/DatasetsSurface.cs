using System.Text.Json;
using Kiln.Core.Data;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Datasets;

/// <summary>
/// Kiln's dataset API under <c>/api/kiln/datasets</c>: datasets, versions with their files, the diff of two versions and
/// lineage to runs, statistics, tags, schemas, validations, uploads, downloads and garbage collection (JSON, Kiln's error envelope). Versions are named as on the command line: an id, a unique prefix of
/// its hash, or <c>latest</c>.
/// </summary>
public sealed partial class DatasetsSurface : IEndpointSurface
{
    private const string Root = "/api/kiln/datasets";
    private static readonly string[] Get = ["GET"];
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new(Root)];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapJson<DataService>(Root, Get, async (call, data) =>
        {
            call.Json.WriteStartArray("datasets");
            foreach (var d in await data.ListAsync(call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("name", d.Name);
                call.Json.WriteNumber("created_at", d.CreatedAt);
                call.Json.WriteNumber("version_count", d.VersionCount);
                if (d.Latest is { } latest)
                {
                    call.Json.WritePropertyName("latest");
                    WriteVersion(call.Json, latest);
                }
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions", Get, async (call, data) =>
        {
            call.Json.WriteStartArray("versions");
            foreach (var v in await data.VersionsAsync(Route(call, "name"), call.Ct))
            {
                WriteVersion(call.Json, v);
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}", Get, async (call, data) =>
        {
            var version = await data.GetVersionAsync(Route(call, "name"), Route(call, "version"), call.Ct);
            call.Json.WritePropertyName("version");
            WriteVersion(call.Json, version);
            call.Json.WriteStartArray("files");
            foreach (var f in await data.FilesAsync(version, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("path", f.Path);
                call.Json.WriteString("hash", f.Hash);
                call.Json.WriteNumber("size", f.Size);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/diff", Get, async (call, data) =>
        {
            var name = Route(call, "name");
            var from = await data.GetVersionAsync(name, call.Request.RequiredString("from"), call.Ct);
            var to = await data.GetVersionAsync(name, call.Request.String("to") ?? "latest", call.Ct);
            call.Json.WriteString("from", from.VersionId);
            call.Json.WriteString("to", to.VersionId);
            call.Json.WriteStartArray("changes");
            foreach (var c in await data.DiffAsync(from, to, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("path", c.Path);
                call.Json.WriteString("change", c.Change);
                if (c.OldSize is { } oldSize)
                {
                    call.Json.WriteNumber("old_size", oldSize);
                }
                if (c.NewSize is { } newSize)
                {
                    call.Json.WriteNumber("new_size", newSize);
                }
                if (c.Schema is { } schema)
                {
                    call.Json.WriteString("table", schema);
                }
                if (c.Columns.Count > 0)
                {
                    call.Json.WritePropertyName("columns");
                    JsonSerializer.Serialize(call.Json, c.Columns, Snake);
                }
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}/lineage", Get, async (call, data) =>
        {
            var version = await data.GetVersionAsync(Route(call, "name"), Route(call, "version"), call.Ct);
            call.Json.WriteString("version_id", version.VersionId);
            call.Json.WriteStartArray("runs");
            foreach (var (run, context) in await Lineage.RunsReadingAsync(call.Service<TrackingService>(), version.VersionId, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("run_id", run.Info.RunId);
                call.Json.WriteString("run_name", run.Info.RunName);
                call.Json.WriteString("experiment_id", run.Info.ExperimentId);
                call.Json.WriteString("status", run.Info.Status.WireName());
                call.Json.WriteString("context", context);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        MapQuality(app);
        MapFiles(app);
    }

    private static readonly JsonSerializerOptions Snake = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Route(ApiCall call, string name) => Uri.UnescapeDataString((string)call.Http.Request.RouteValues[name]!);

    private static void WriteVersion(Utf8JsonWriter json, DatasetVersion v)
    {
        json.WriteStartObject();
        json.WriteString("dataset", v.Dataset);
        json.WriteString("version_id", v.VersionId);
        json.WriteString("message", v.Message);
        json.WriteString("user_id", v.UserId);
        json.WriteNumber("created_at", v.CreatedAt);
        json.WriteNumber("file_count", v.FileCount);
        json.WriteNumber("total_bytes", v.TotalBytes);
        json.WriteStartObject("tags");
        foreach (var (key, value) in v.Tags)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
