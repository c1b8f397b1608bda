using System.Security.Cryptography;
using System.Text;
using Kiln.Core.Errors;
using Kiln.Core.Ids;
using Kiln.Core.Webhooks;

namespace Kiln.Engine.Registry.Webhooks;

/// <summary>
/// Webhook subscriptions (validated: an http(s) URL, known events) and delivery: <see cref="DeliverDueAsync"/> POSTs
/// each due outbox event, signed with HMAC-SHA256 (<c>X-Kiln-Signature: sha256=&lt;hex&gt;</c> over the body), and retries a
/// failure with exponential backoff (5 s, 10 s, 20 s … up to an hour; given up after <see cref="MaxAttempts"/>).
/// </summary>
public sealed class WebhookService(IWebhookStore store, HttpClient http, TimeProvider time, IdGenerator ids)
{
    /// <summary>Attempts before an event is given up.</summary>
    public const int MaxAttempts = 10;

    /// <summary>How long a claimed delivery is reserved for this dispatcher.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>Subscribes a URL to events (all when none are named); returns the webhook with its secret (shown once).</summary>
    public async Task<Webhook> AddAsync(string url, IReadOnlyList<string> events, string? model, string? secret, string userId, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw KilnException.Invalid($"Webhook URL '{url}' is not an http(s) URL: give one such as https://hooks.example.com/kiln.");
        }
        var unknown = events.Where(e => e != "*" && !WebhookEvents.All.Contains(e)).ToList();
        if (unknown.Count > 0)
        {
            throw KilnException.Invalid($"Unknown webhook event(s) {string.Join(", ", unknown.Select(e => $"'{e}'"))}: choose from {string.Join(", ", WebhookEvents.All)} (or * for all).");
        }
        var webhook = new Webhook(ids.NewId(), uri.ToString(), events.Count == 0 ? ["*"] : [.. events.Distinct()],
            string.IsNullOrEmpty(secret) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : secret, string.IsNullOrEmpty(model) ? null : model,
            time.GetUtcNow().ToUnixTimeMilliseconds(), userId);
        await store.AddAsync(webhook, ct);
        return webhook;
    }

    /// <summary>The signature a receiver recomputes: <c>sha256=</c> and the hex HMAC-SHA256 of the body under the secret.</summary>
    public static string Sign(string secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Delivers the due events (one round); returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await store.ClaimDueAsync(now, 50, (long)Lease.TotalMilliseconds, ct);
        foreach (var (delivery, webhook) in due)
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            int? status = null;
            string? error = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Kiln-Event", delivery.Event);
                request.Headers.Add("X-Kiln-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add("X-Kiln-Signature", Sign(webhook.Secret, body));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var response = await http.SendAsync(request, timeout.Token);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    error = $"HTTP {status}";
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = e.Message;
            }
            var delivered = error is null;
            var attempts = delivery.Attempts + 1;
            long? next = delivered || attempts >= MaxAttempts ? null : now + (long)Math.Min(3_600_000, 5_000 * Math.Pow(2, attempts - 1));
            await store.RecordAttemptAsync(delivery.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), status, error, delivered, next, ct);
        }
        return due.Count;
    }
}
