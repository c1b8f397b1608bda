using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Engine.Data;
using Kiln.Engine.Registry.Gates;
using Kiln.Server.Http;

namespace Kiln.Server.Models;

/// <summary>
/// Gates over HTTP: <c>{name}/gate-spec</c> (GET, POST <c>{"yaml": …}</c>), <c>{name}/versions/{version}/gate</c> (POST
/// <c>{"data": "datasets:/…" or a server path, "alias"}</c>), <c>{name}/verdicts</c>, <c>{name}/promote</c>,
/// <c>{name}/approve</c>, <c>{name}/rollback</c>, <c>{name}/promotions</c>. The caller is who <see cref="Caller"/> says.
/// </summary>
public sealed partial class ModelsSurface
{
    private static readonly string[] Post = ["POST"];

    private static string Name(ApiCall call) => Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!);

    private static void MapGates(IEndpointRouteBuilder app)
    {
        app.MapJson<GateService>(Root + "/{name}/gate-spec", Get, async (call, gates) =>
        {
            var spec = await gates.CurrentSpecAsync(Name(call), call.Request.String("alias"), call.Ct)
                ?? throw KilnException.NotFound($"Model '{Name(call)}' has no gate yet.");
            WriteSpec(call.Json, spec);
        }, Writer);

        app.MapJson<GateService>(Root + "/{name}/gate-spec", Post, async (call, gates) =>
            WriteSpec(call.Json, await gates.SaveSpecAsync(Name(call), call.Request.RequiredString("yaml"), Caller.User(call.Http), call.Ct)), Writer);

        app.MapJson<GateService>(Root + "/{name}/versions/{version}/gate", Post, async (call, gates) =>
        {
            var version = RegistryValidation.Version((string)call.Http.Request.RouteValues["version"]!);
            var data = call.Request.RequiredString("data");
            string path = data;
            DataSource? source = null;
            string? folder = null;
            if (DatasetReference.IsReference(data))
            {
                (path, folder, source) = await call.Service<DataService>().MaterializeAsync(data, call.Ct);
            }
            try
            {
                var outcome = await gates.GateAsync(Name(call), version, path, source, call.Request.String("alias"), Caller.User(call.Http), null, call.Ct);
                call.Json.WritePropertyName("verdict");
                WriteVerdict(call.Json, outcome.Verdict);
            }
            finally
            {
                if (folder is not null)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }, Writer);

        app.MapJson<IRegistryStore>(Root + "/{name}/verdicts", Get, async (call, store) =>
        {
            call.Json.WriteStartArray("verdicts");
            foreach (var verdict in await store.ListVerdictsAsync(Name(call), call.Request.Int32("version"), call.Ct))
            {
                WriteVerdict(call.Json, verdict);
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<GateService>(Root + "/{name}/promote", Post, async (call, gates) =>
        {
            var r = call.Request;
            var (moved, pending) = await gates.PromoteAsync(Name(call), r.Int32("version") ?? throw Core.Json.JsonValues.Missing("version"), r.String("alias") ?? "champion",
                Caller.User(call.Http), r.Bool("force") ?? false, r.String("reason"), call.Ct);
            if (moved is not null)
            {
                call.Json.WritePropertyName("moved");
                WriteEvent(call.Json, moved);
            }
            if (pending is not null)
            {
                call.Json.WritePropertyName("pending");
                WritePromotion(call.Json, pending);
            }
        }, Writer);

        app.MapJson<GateService>(Root + "/{name}/approve", Post, async (call, gates) =>
        {
            call.Json.WritePropertyName("promotion");
            WritePromotion(call.Json, await gates.DecideAsync(Name(call), call.Request.String("alias") ?? "champion", !(call.Request.Bool("reject") ?? false), Caller.User(call.Http), call.Ct));
        }, Writer);

        app.MapJson<GateService>(Root + "/{name}/rollback", Post, async (call, gates) =>
        {
            call.Json.WritePropertyName("moved");
            WriteEvent(call.Json, await gates.RollbackAsync(Name(call), call.Request.String("alias") ?? "champion", Caller.User(call.Http), call.Request.String("reason"), call.Ct));
        }, Writer);

        app.MapJson<IRegistryStore>(Root + "/{name}/promotions", Get, async (call, store) =>
        {
            call.Json.WriteStartArray("promotions");
            foreach (var promotion in await store.ListPromotionsAsync(Name(call), call.Ct))
            {
                WritePromotion(call.Json, promotion);
            }
            call.Json.WriteEndArray();
        }, Writer);
    }

    private static void WriteSpec(Utf8JsonWriter w, GateSpecVersion spec)
    {
        w.WriteString("gate_id", spec.GateId);
        w.WriteString("alias", spec.Alias);
        w.WriteString("yaml", spec.Yaml);
        w.WriteNumber("created_at", spec.CreatedAt);
        w.WriteString("user", spec.UserId);
    }

    internal static void WriteVerdict(Utf8JsonWriter w, GateVerdict v)
    {
        w.WriteStartObject();
        w.WriteString("id", v.Id);
        w.WriteString("name", v.Name);
        w.WriteNumber("version", v.Version);
        w.WriteString("alias", v.Alias);
        w.WriteString("gate_id", v.GateId);
        w.WriteBoolean("passed", v.Passed);
        if (v.HolderVersion is { } holder)
        {
            w.WriteNumber("holder_version", holder);
        }
        w.WriteNumber("created_at", v.CreatedAt);
        w.WriteString("user", v.UserId);
        w.WritePropertyName("result");
        w.WriteRawValue(v.ResultJson);
        w.WriteEndObject();
    }

    internal static void WritePromotion(Utf8JsonWriter w, Promotion p)
    {
        w.WriteStartObject();
        w.WriteString("id", p.Id);
        w.WriteNumber("version", p.Version);
        w.WriteString("alias", p.Alias);
        w.WriteString("status", p.Status);
        w.WriteNumber("expected_holder", p.ExpectedHolder);
        w.WriteString("requested_by", p.RequestedBy);
        w.WriteNumber("requested_at", p.RequestedAt);
        w.WriteBoolean("forced", p.Forced);
        if (p.Reason is not null)
        {
            w.WriteString("reason", p.Reason);
        }
        if (p.DecidedBy is not null)
        {
            w.WriteString("decided_by", p.DecidedBy);
            w.WriteNumber("decided_at", p.DecidedAt ?? 0);
        }
        w.WriteEndObject();
    }
}
