using Kiln.Core.Audit;
using Kiln.Server.Http;

namespace Kiln.Server.Models;

/// <summary><c>GET /api/kiln/audit?resource=&amp;since=&amp;limit=</c> and <c>GET /api/kiln/audit/verify</c>. There is no route that edits or deletes entries.</summary>
public sealed partial class ModelsSurface
{
    private static void MapAudit(IEndpointRouteBuilder app)
    {
        app.MapJson<IAuditStore>(AuditRoot, Get, async (call, audit) =>
        {
            var entries = await audit.ListAsync(call.Request.String("resource"), call.Request.Int64("since"), call.Request.Int32("limit") ?? 1000, call.Ct);
            call.Json.WriteStartArray("entries");
            foreach (var e in entries)
            {
                call.Json.WriteStartObject();
                call.Json.WriteNumber("id", e.Id);
                call.Json.WriteNumber("time", e.Time);
                call.Json.WriteString("user", e.UserId);
                call.Json.WriteString("action", e.Action);
                call.Json.WriteString("resource", e.Resource);
                WriteRaw(call, "before", e.Before);
                WriteRaw(call, "after", e.After);
                call.Json.WriteString("prev_hash", e.PreviousHash);
                call.Json.WriteString("hash", e.Hash);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<IAuditStore>(AuditRoot + "/verify", Get, async (call, audit) =>
        {
            var result = await audit.VerifyAsync(call.Ct);
            call.Json.WriteBoolean("intact", result.Intact);
            call.Json.WriteNumber("entries", result.Entries);
            call.Json.WriteString("head", result.Head);
            Core.Mlflow.MlflowJson.WriteStrings(call.Json, "problems", result.Problems);
        }, Writer);
    }

    private static void WriteRaw(ApiCall call, string name, string? json)
    {
        call.Json.WritePropertyName(name);
        if (json is null)
        {
            call.Json.WriteNullValue();
        }
        else
        {
            call.Json.WriteRawValue(json);
        }
    }
}
