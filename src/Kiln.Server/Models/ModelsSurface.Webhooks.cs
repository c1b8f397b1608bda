using Kiln.Core.Webhooks;
using Kiln.Engine.Registry.Webhooks;
using Kiln.Server.Http;

namespace Kiln.Server.Models;

/// <summary>
/// <c>/api/kiln/webhooks</c>: GET lists (no secrets), POST <c>{url, events?, model?, secret?}</c> subscribes (the secret is
/// returned once), DELETE <c>/{id}</c> unsubscribes, GET <c>/deliveries[?webhook=]</c> is the delivery history.
/// </summary>
public sealed partial class ModelsSurface
{
    private const string WebhooksRoot = "/api/kiln/webhooks";
    private static readonly string[] Delete = ["DELETE"];

    private static void MapWebhooks(IEndpointRouteBuilder app)
    {
        app.MapJson<IWebhookStore>(WebhooksRoot, Get, async (call, store) =>
        {
            call.Json.WriteStartArray("webhooks");
            foreach (var hook in await store.ListAsync(call.Ct))
            {
                WriteHook(call, hook, secret: false);
            }
            call.Json.WriteEndArray();
        }, Writer);

        app.MapJson<WebhookService>(WebhooksRoot, Post, async (call, service) =>
        {
            var r = call.Request;
            var hook = await service.AddAsync(r.RequiredString("url"), r.Strings("events"), r.String("model"), r.String("secret"), Caller.User(call.Http), call.Ct);
            call.Json.WritePropertyName("webhook");
            WriteHook(call, hook, secret: true);
        }, Writer);

        app.MapJson<IWebhookStore>(WebhooksRoot + "/{id}", Delete, (call, store) =>
            store.DeleteAsync((string)call.Http.Request.RouteValues["id"]!, call.Ct), Writer);

        app.MapJson<IWebhookStore>(WebhooksRoot + "/deliveries", Get, async (call, store) =>
        {
            call.Json.WriteStartArray("deliveries");
            foreach (var d in await store.DeliveriesAsync(call.Request.String("webhook"), call.Request.Int32("limit") ?? 200, call.Ct))
            {
                call.Json.WriteStartObject();
                call.Json.WriteNumber("id", d.Id);
                call.Json.WriteString("webhook", d.WebhookId);
                call.Json.WriteString("event", d.Event);
                call.Json.WriteNumber("created_at", d.CreatedAt);
                call.Json.WriteNumber("attempts", d.Attempts);
                WriteOptional(call, "last_status", d.LastStatus);
                WriteOptional(call, "delivered_at", d.DeliveredAt);
                WriteOptional(call, "next_attempt_at", d.NextAttemptAt);
                if (d.LastError is not null)
                {
                    call.Json.WriteString("last_error", d.LastError);
                }
                call.Json.WritePropertyName("payload");
                call.Json.WriteRawValue(d.Payload);
                call.Json.WriteEndObject();
            }
            call.Json.WriteEndArray();
        }, Writer);
    }

    private static void WriteHook(ApiCall call, Webhook hook, bool secret)
    {
        call.Json.WriteStartObject();
        call.Json.WriteString("id", hook.Id);
        call.Json.WriteString("url", hook.Url);
        Core.Mlflow.MlflowJson.WriteStrings(call.Json, "events", hook.Events);
        if (hook.Model is not null)
        {
            call.Json.WriteString("model", hook.Model);
        }
        if (secret)
        {
            call.Json.WriteString("secret", hook.Secret);
        }
        call.Json.WriteNumber("created_at", hook.CreatedAt);
        call.Json.WriteString("user", hook.UserId);
        call.Json.WriteEndObject();
    }

    private static void WriteOptional(ApiCall call, string name, long? value)
    {
        if (value is { } v)
        {
            call.Json.WriteNumber(name, v);
        }
    }
}
