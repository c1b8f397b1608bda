using System.Data.Common;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Webhooks;

namespace Kiln.Storage.Sql.Webhooks;

/// <summary>Webhooks and the outbox on SQLite or PostgreSQL; <see cref="EnqueueAsync"/> runs inside the transaction of the change.</summary>
public sealed class SqlWebhookStore(SqlDialect dialect) : IWebhookStore
{
    private const string HookColumns = "id, url, events, secret, model, created_at, user_id";
    private const string DeliveryColumns = "id, webhook_id, event, payload, created_at, attempts, next_attempt_at, delivered_at, last_status, last_error";

    /// <summary>Migration 9: subscriptions and the outbox (each row one event for one subscription, with its attempts).</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            secret TEXT NOT NULL,
            model TEXT,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL);
        CREATE TABLE webhook_outbox (
            id {t.IdentityPrimaryKey},
            webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
            event TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at {t.BigInt},
            delivered_at {t.BigInt},
            last_status INTEGER,
            last_error TEXT);
        CREATE INDEX ix_webhook_outbox_due ON webhook_outbox (next_attempt_at);
        """;

    /// <summary>Queues an event for every subscription that wants it, in the caller's transaction.</summary>
    internal static Task<int> EnqueueAsync(DbConnection connection, DbTransaction transaction, string eventName, string? model, string payload, long time, CancellationToken ct) =>
        connection.ExecuteAsync(transaction, """
            INSERT INTO webhook_outbox (webhook_id, event, payload, created_at, attempts, next_attempt_at)
            SELECT id, @e, @p, @t, 0, @t FROM webhooks
            WHERE (events = '*' OR (',' || events || ',') LIKE @pattern) AND (model IS NULL OR model = @m)
            """, ct, ("e", eventName), ("p", payload), ("t", time), ("pattern", "%," + eventName + ",%"), ("m", model));

    public Task AddAsync(Webhook webhook, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction,
            $"INSERT INTO webhooks ({HookColumns}) VALUES (@i, @u, @e, @s, @m, @t, @by)", ct,
            ("i", webhook.Id), ("u", webhook.Url), ("e", string.Join(",", webhook.Events)), ("s", webhook.Secret), ("m", webhook.Model), ("t", webhook.CreatedAt), ("by", webhook.UserId)), ct);

    public async Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"SELECT {HookColumns} FROM webhooks ORDER BY created_at, id");
        var hooks = new List<Webhook>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hooks.Add(ReadHook(reader, 0));
        }
        return hooks;
    }

    public async Task DeleteAsync(string id, CancellationToken ct = default)
    {
        var deleted = await dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM webhook_outbox WHERE webhook_id = @i", ct, ("i", id));
            return await connection.ExecuteAsync(transaction, "DELETE FROM webhooks WHERE id = @i", ct, ("i", id));
        }, ct);
        if (deleted == 0)
        {
            throw KilnException.NotFound($"No webhook with id {id}: list them with kiln webhooks list.");
        }
    }

    public Task<IReadOnlyList<(WebhookDelivery Delivery, Webhook Webhook)>> ClaimDueAsync(long now, int limit, long leaseMs, CancellationToken ct = default) =>
        dialect.WriteAsync<IReadOnlyList<(WebhookDelivery, Webhook)>>(async (connection, transaction) =>
        {
            var due = new List<(WebhookDelivery, Webhook)>();
            await using (var command = connection.Command(transaction, $"""
                SELECT o.id, o.webhook_id, o.event, o.payload, o.created_at, o.attempts, o.next_attempt_at, o.delivered_at, o.last_status, o.last_error,
                       w.id, w.url, w.events, w.secret, w.model, w.created_at, w.user_id
                FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
                WHERE o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= @now ORDER BY o.id LIMIT {limit}
                """))
            {
                command.Add("now", now);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    due.Add((ReadDelivery(reader), ReadHook(reader, 10)));
                }
            }
            foreach (var (delivery, _) in due)
            {
                // the lease: another dispatcher (a second server) skips it until it expires
                await connection.ExecuteAsync(transaction, "UPDATE webhook_outbox SET next_attempt_at = @lease WHERE id = @i", ct, ("lease", now + leaseMs), ("i", delivery.Id));
            }
            return due;
        }, ct);

    public Task RecordAttemptAsync(long id, long now, int? status, string? error, bool delivered, long? nextAttemptAt, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction, """
            UPDATE webhook_outbox SET attempts = attempts + 1, last_status = @s, last_error = @e, delivered_at = @d, next_attempt_at = @n WHERE id = @i
            """, ct, ("s", status), ("e", error), ("d", delivered ? now : null), ("n", delivered ? null : nextAttemptAt), ("i", id)), ct);

    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string? webhookId, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null,
            $"SELECT {DeliveryColumns} FROM webhook_outbox {(webhookId is null ? "" : "WHERE webhook_id = @w")} ORDER BY id DESC LIMIT {Math.Clamp(limit, 1, 10_000)}");
        if (webhookId is not null)
        {
            command.Add("w", webhookId);
        }
        var list = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadDelivery(reader));
        }
        return list;
    }

    private static Webhook ReadHook(DbDataReader r, int o) => new(r.GetString(o), r.GetString(o + 1),
        r.GetString(o + 2).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString(o + 3), r.NullableString(o + 4), r.GetInt64(o + 5), r.GetString(o + 6));

    private static WebhookDelivery ReadDelivery(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4),
        Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture), r.NullableInt64(6), r.NullableInt64(7),
        r.IsDBNull(8) ? null : Convert.ToInt32(r.GetValue(8), CultureInfo.InvariantCulture), r.NullableString(9));
}
