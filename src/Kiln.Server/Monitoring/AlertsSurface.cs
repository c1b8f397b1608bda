using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Kiln.Server.Http;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Alerts and their rules over REST: <c>GET /api/kiln/monitoring/alerts[?state=&amp;deployment=&amp;limit=]</c>,
/// <c>POST /api/kiln/monitoring/alerts/{id}/acknowledge {"user"}</c>, <c>GET|PUT /api/kiln/monitoring/rules</c> (PUT
/// <c>{"yaml", "prune"}</c> stores changed rules as new versions) and <c>GET /api/kiln/monitoring/rules/{name}/history</c>.
/// </summary>
public sealed class AlertsSurface : IEndpointSurface
{
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/kiln/monitoring/alerts"), new("/api/kiln/monitoring/rules")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapJson<IAlertStore>("/api/kiln/monitoring/alerts", ["GET"], async (call, store) =>
        {
            var query = call.Http.Request.Query;
            var limit = int.TryParse(query["limit"].FirstOrDefault(), CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, 1000) : 100;
            var alerts = await store.ListAsync(query["state"].FirstOrDefault(), query["deployment"].FirstOrDefault(), limit, call.Ct);
            call.Json.WriteStartArray("alerts");
            foreach (var alert in alerts)
            {
                Write(call.Json, alert);
            }
            call.Json.WriteEndArray();
        }, Writer);
        app.MapJson<IAlertStore>("/api/kiln/monitoring/alerts/{id}/acknowledge", ["POST"], async (call, store) =>
        {
            var id = long.TryParse((string)call.Http.Request.RouteValues["id"]!, CultureInfo.InvariantCulture, out var v) ? v
                : throw KilnException.Invalid("The alert id must be a number: GET /api/kiln/monitoring/alerts lists them.");
            var user = call.Request.String("user") ?? "api";
            Write(call.Json, await store.AcknowledgeAsync(id, user, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), call.Ct), inline: true);
        }, Writer);
        app.MapJson<AlertService>("/api/kiln/monitoring/rules", ["GET"], async (call, alerts) =>
        {
            call.Json.WriteStartArray("rules");
            foreach (var (stored, rule) in await alerts.RulesAsync(call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("name", rule.Name);
                call.Json.WriteNumber("version", stored.Version);
                call.Json.WriteString("deployment", rule.Deployment ?? "*");
                call.Json.WriteString("when", rule.Condition.ToString());
                call.Json.WriteString("for", $"{rule.Need} of {rule.Of}");
                call.Json.WriteNumber("cooldown_seconds", rule.Cooldown.TotalSeconds);
                call.Json.WriteString("severity", rule.Severity);
                call.Json.WriteString("yaml", stored.Yaml);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);
        app.MapJson<AlertService>("/api/kiln/monitoring/rules", ["PUT"], async (call, alerts) =>
        {
            var saved = await alerts.ApplyAsync(call.Request.RequiredString("yaml"), call.Request.String("user") ?? "api",
                call.Request.Body is { } body && body.TryGetProperty("prune", out var p) && p.ValueKind == JsonValueKind.True, call.Ct);
            call.Json.WriteStartArray("saved");
            foreach (var v in saved)
            {
                call.Json.WriteStartObject();
                call.Json.WriteString("name", v.Name);
                call.Json.WriteNumber("version", v.Version);
                call.Json.WriteBoolean("deleted", v.Deleted);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);
        app.MapJson<IAlertStore>("/api/kiln/monitoring/rules/{name}/history", ["GET"], async (call, store) =>
        {
            var versions = await store.RuleHistoryAsync(Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!), call.Ct);
            call.Json.WriteStartArray("versions");
            foreach (var v in versions)
            {
                call.Json.WriteStartObject();
                call.Json.WriteNumber("version", v.Version);
                call.Json.WriteNumber("created_at", v.CreatedAt);
                call.Json.WriteString("user_id", v.UserId);
                call.Json.WriteBoolean("deleted", v.Deleted);
                call.Json.WriteString("yaml", v.Yaml);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);
    }

    private static void Write(Utf8JsonWriter w, Alert a, bool inline = false)
    {
        if (!inline)
        {
            w.WriteStartObject();
        }
        w.WriteNumber("id", a.Id);
        w.WriteString("rule", a.Rule);
        w.WriteNumber("rule_version", a.RuleVersion);
        w.WriteString("deployment", a.Deployment);
        w.WriteString("severity", a.Severity);
        w.WriteString("state", a.State);
        if (double.IsFinite(a.Value))
        {
            w.WriteNumber("value", a.Value);
        }
        w.WriteString("message", a.Message);
        w.WriteNumber("fired_at", a.FiredAt);
        if (a.ResolvedAt is { } r)
        {
            w.WriteNumber("resolved_at", r);
        }
        if (a.AcknowledgedAt is { } at)
        {
            w.WriteNumber("acknowledged_at", at);
            w.WriteString("acknowledged_by", a.AcknowledgedBy);
        }
        if (!inline)
        {
            w.WriteEndObject();
        }
    }
}
