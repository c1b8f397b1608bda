using System.Text;
using System.Text.Json;
using Kiln.Core.Data;
using Kiln.Engine.Data;
using Kiln.Engine.Data.Validation;
using Kiln.Server.Http;

namespace Kiln.Server.Datasets;

public sealed partial class DatasetsSurface
{
    private static readonly string[] Post = ["POST"];
    private static readonly string[] Delete = ["DELETE"];

    /// <summary>Statistics, tags, schemas and validations.</summary>
    private static void MapQuality(IEndpointRouteBuilder app)
    {
        app.MapJson<DataService>(Root + "/{name}/versions/{version}/stats", Get, async (call, data) =>
        {
            var version = await data.GetVersionAsync(Route(call, "name"), Route(call, "version"), call.Ct);
            call.Json.WriteString("version_id", version.VersionId);
            call.Json.WriteStartArray("tables");
            foreach (var (path, profile) in await data.ProfileAsync(version, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("path", path);
                call.Json.WritePropertyName("profile");
                call.Json.WriteRawValue(profile.ToJson(indented: false));
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}/tags", Post, async (call, data) =>
        {
            var (name, version) = (Route(call, "name"), Route(call, "version"));
            await data.TagAsync(name, version, call.Request.RequiredString("key"), call.Request.RequiredString("value"), call.Ct);
            call.Json.WritePropertyName("version");
            WriteVersion(call.Json, await data.GetVersionAsync(name, version, call.Ct));
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}/tags/{key}", Delete, async (call, data) =>
        {
            var (name, version) = (Route(call, "name"), Route(call, "version"));
            await data.UntagAsync(name, (await data.GetVersionAsync(name, version, call.Ct)).VersionId, Route(call, "key"), call.Ct);
            call.Json.WritePropertyName("version");
            WriteVersion(call.Json, await data.GetVersionAsync(name, version, call.Ct));
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/schemas", Get, async (call, data) =>
        {
            call.Json.WriteStartArray("schemas");
            foreach (var s in await data.SchemasAsync(Route(call, "name"), call.Ct))
            {
                WriteSchema(call.Json, s);
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/schemas", Post, async (call, data) =>
        {
            var saved = await data.SaveSchemaAsync(Route(call, "name"), call.Request.RequiredString("yaml"), User(call), call.Ct);
            call.Json.WritePropertyName("schema");
            WriteSchema(call.Json, saved);
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}/schema", Get, async (call, data) =>
        {
            var version = await data.GetVersionAsync(Route(call, "name"), Route(call, "version"), call.Ct);
            call.Json.WriteString("yaml", (await data.InferSchemaAsync(version, call.Ct)).ToYaml());
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/versions/{version}/validate", Post, async (call, data) =>
        {
            var name = Route(call, "name");
            var version = await data.GetVersionAsync(name, Route(call, "version"), call.Ct);
            var against = call.Request.String("against") is { } a ? await data.GetVersionAsync(name, a, call.Ct) : null;
            var (result, note) = await data.ValidateAsync(version, against, call.Request.String("schema"), User(call), call.Ct);
            call.Json.WritePropertyName("validation");
            call.Json.WriteRawValue(result.ToJson());
            if (note is not null)
            {
                call.Json.WriteString("note", note);
            }
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/validations", Get, async (call, data) =>
        {
            var name = Route(call, "name");
            var version = call.Request.String("version") is { } v ? (await data.GetVersionAsync(name, v, call.Ct)).VersionId : null;
            call.Json.WriteStartArray("validations");
            foreach (var x in await data.ValidationsAsync(name, version, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("id", x.Id);
                call.Json.WriteString("version_id", x.VersionId);
                if (x.AgainstVersionId is { } against)
                {
                    call.Json.WriteString("against_version_id", against);
                }
                call.Json.WriteString("schema_id", x.SchemaId);
                call.Json.WriteNumber("created_at", x.CreatedAt);
                call.Json.WriteString("user_id", x.UserId);
                call.Json.WriteNumber("errors", x.Errors);
                call.Json.WriteNumber("warnings", x.Warnings);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<DataService>(Root + "/{name}/validations/{id}", Get, async (call, data) =>
        {
            var stored = await Validation(call, data);
            call.Json.WritePropertyName("validation");
            call.Json.WriteRawValue(stored.ResultJson);
        }, Writer);

        app.MapGet(Root + "/{name}/validations/{id}/report", async context =>
        {
            var data = context.RequestServices.GetRequiredService<DataService>();
            var id = Uri.UnescapeDataString((string)context.Request.RouteValues["id"]!);
            var stored = await data.GetValidationAsync(id, context.RequestAborted);
            if (stored.Dataset != Uri.UnescapeDataString((string)context.Request.RouteValues["name"]!))
            {
                throw Core.Errors.KilnException.NotFound($"Dataset '{context.Request.RouteValues["name"]}' has no validation '{id}'.");
            }
            var html = Encoding.UTF8.GetBytes(ValidationReport.Html(ValidationResult.FromJson(stored.ResultJson)));
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
            context.Response.ContentLength = html.Length;
            await context.Response.Body.WriteAsync(html, context.RequestAborted);
        });
    }

    private static async Task<DatasetValidation> Validation(ApiCall call, DataService data)
    {
        var (name, id) = (Route(call, "name"), Route(call, "id"));
        var stored = await data.GetValidationAsync(id, call.Ct);
        return stored.Dataset == name ? stored : throw Core.Errors.KilnException.NotFound($"Dataset '{name}' has no validation '{id}'.");
    }

    /// <summary>Who made a change over the API: the authenticated user when there is one, else "api".</summary>
    private static string User(ApiCall call) => call.Http.User.Identity?.Name is { Length: > 0 } user ? user : "api";

    private static void WriteSchema(Utf8JsonWriter json, DatasetSchemaVersion s)
    {
        json.WriteStartObject();
        json.WriteString("schema_id", s.SchemaId);
        json.WriteString("yaml", s.Yaml);
        json.WriteNumber("created_at", s.CreatedAt);
        json.WriteString("user_id", s.UserId);
        json.WriteEndObject();
    }
}
