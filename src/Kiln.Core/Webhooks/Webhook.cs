namespace Kiln.Core.Webhooks;

/// <summary>A subscription: registry events POSTed to a URL, signed with HMAC-SHA256 of the body under its secret.</summary>
/// <param name="Id">Unique id.</param>
/// <param name="Url">An http(s) URL.</param>
/// <param name="Events">The events it receives (<see cref="WebhookEvents"/>), or <c>*</c> for all.</param>
/// <param name="Secret">The signing secret (never returned by list calls).</param>
/// <param name="Model">Only events of this registered model, or null for all models.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="UserId">Who subscribed.</param>
public sealed record Webhook(string Id, string Url, IReadOnlyList<string> Events, string Secret, string? Model, long CreatedAt, string UserId);

/// <summary>An event waiting in (or delivered from) the durable outbox, with its attempts.</summary>
/// <param name="Id">Increasing number; also the delivery id the receiver sees.</param>
/// <param name="WebhookId">The subscription.</param>
/// <param name="Event">The event name.</param>
/// <param name="Payload">The JSON body.</param>
/// <param name="CreatedAt">When the change happened (Unix milliseconds).</param>
/// <param name="Attempts">Delivery attempts so far.</param>
/// <param name="NextAttemptAt">When the next attempt is due (Unix milliseconds), or null once delivered or given up.</param>
/// <param name="DeliveredAt">When a 2xx answer came, or null.</param>
/// <param name="LastStatus">The last HTTP status, or null (no answer).</param>
/// <param name="LastError">The last failure, or null.</param>
public sealed record WebhookDelivery(long Id, string WebhookId, string Event, string Payload, long CreatedAt, int Attempts, long? NextAttemptAt, long? DeliveredAt,
    int? LastStatus, string? LastError);

/// <summary>The events a webhook can subscribe to (registry and monitoring).</summary>
public static class WebhookEvents
{
    /// <summary>A model version was registered.</summary>
    public const string VersionCreated = "model_version.created";

    /// <summary>An alias was set, moved, removed, promoted or rolled back.</summary>
    public const string AliasMoved = "alias.moved";

    /// <summary>A gate gave its verdict on a version.</summary>
    public const string GateVerdict = "gate.verdict";

    /// <summary>A promotion waits for approval.</summary>
    public const string PromotionPending = "promotion.pending";

    /// <summary>A monitoring alert fired.</summary>
    public const string AlertFired = "alert.fired";

    /// <summary>A monitoring alert resolved.</summary>
    public const string AlertResolved = "alert.resolved";

    /// <summary>Every event name.</summary>
    public static IReadOnlyList<string> All { get; } = [VersionCreated, AliasMoved, GateVerdict, PromotionPending, AlertFired, AlertResolved];
}

/// <summary>Webhook subscriptions and their outbox. Events enter the outbox in the transaction of the change that raised them (a restart loses none).</summary>
public interface IWebhookStore
{
    /// <summary>Adds a subscription.</summary>
    Task AddAsync(Webhook webhook, CancellationToken ct = default);

    /// <summary>Every subscription (secrets included: the server never sends them out).</summary>
    Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct = default);

    /// <summary>Removes a subscription and its pending deliveries; RESOURCE_DOES_NOT_EXIST for an unknown id.</summary>
    Task DeleteAsync(string id, CancellationToken ct = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries for <paramref name="leaseMs"/> (another dispatcher skips them
    /// meanwhile), oldest first, with their webhooks.
    /// </summary>
    Task<IReadOnlyList<(WebhookDelivery Delivery, Webhook Webhook)>> ClaimDueAsync(long now, int limit, long leaseMs, CancellationToken ct = default);

    /// <summary>Records an attempt: delivered (a 2xx), or failed with the time of the next attempt (null: given up).</summary>
    Task RecordAttemptAsync(long id, long now, int? status, string? error, bool delivered, long? nextAttemptAt, CancellationToken ct = default);

    /// <summary>Deliveries, newest first, optionally of one webhook.</summary>
    Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string? webhookId, int limit, CancellationToken ct = default);
}
