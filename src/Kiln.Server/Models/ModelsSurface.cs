using System.Globalization;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Server.Http;

namespace Kiln.Server.Models;

/// <summary>
/// Kiln's own registry API under <c>/api/kiln/models</c>, for what MLflow's REST API has no call for: the history of a
/// model's aliases (who moved which alias when and why) and which version held an alias at a moment.
/// </summary>
public sealed partial class ModelsSurface : IEndpointSurface
{
    private const string Root = "/api/kiln/models";
    private const string AuditRoot = "/api/kiln/audit";
    private static readonly string[] Get = ["GET"];
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new(Root), new(AuditRoot), new(WebhooksRoot)];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        // ?alias= narrows to one alias; ?at=<Unix ms> adds "holder": the version that alias pointed at then (null: none)
        app.MapJson<RegistryService>(Root + "/{name}/history", Get, async (call, registry) =>
        {
            var name = Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!);
            var alias = call.Request.String("alias");
            if (call.Request.Int64("at") is { } at)
            {
                var holder = await registry.HolderAtAsync(name, alias, at, call.Ct);
                if (holder is { } version)
                {
                    call.Json.WriteNumber("holder", version);
                }
                else
                {
                    call.Json.WriteNull("holder");
                }
            }
            call.Json.WriteStartArray("events");
            foreach (var e in await registry.HistoryAsync(name, alias, call.Ct))
            {
                WriteEvent(call.Json, e);
            }
            call.Json.WriteEndArray();
        }, Writer);

        MapGates(app);
        MapAudit(app);
        MapWebhooks(app);
        MapLineage(app);
    }

    internal static void WriteEvent(Utf8JsonWriter w, AliasEvent e)
    {
        w.WriteStartObject();
        w.WriteNumber("id", e.Id);
        w.WriteString("name", e.Name);
        w.WriteString("alias", e.Alias);
        WriteNumber(w, "version", e.Version);
        WriteNumber(w, "previous_version", e.PreviousVersion);
        w.WriteNumber("time", e.Time);
        w.WriteString("time_iso", DateTimeOffset.FromUnixTimeMilliseconds(e.Time).ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("user", e.UserId);
        w.WriteString("action", e.Action);
        if (e.Reason is not null)
        {
            w.WriteString("reason", e.Reason);
        }
        w.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
