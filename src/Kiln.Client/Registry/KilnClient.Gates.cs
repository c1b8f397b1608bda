using System.Globalization;
using System.Text.Json;
using Kiln.Core.Audit;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Saves a model's gate spec (YAML; see <c>kiln models gate-spec</c>) and returns its id.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>INVALID_PARAMETER_VALUE</c> naming the bad check, metric or line.</exception>
    public async Task<string> SaveGateSpecAsync(string name, string yaml, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, $"api/kiln/models/{Uri.EscapeDataString(name)}/gate-spec", w => w.WriteString("yaml", yaml), null, ct);
        return doc.RootElement.GetProperty("gate_id").GetString()!;
    }

    /// <summary>
    /// Runs a model's gate on a version, on the server: it and the alias's holder are evaluated on <paramref name="data"/>
    /// (<c>datasets:/NAME/VERSION</c>, or a path on the server). Returns whether it passed and the verdict's JSON.
    /// </summary>
    public async Task<(bool Passed, string VerdictJson)> RunGateAsync(string name, int version, string data, string? alias = null, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, $"api/kiln/models/{Uri.EscapeDataString(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/gate", w =>
        {
            w.WriteString("data", data);
            if (alias is not null)
            {
                w.WriteString("alias", alias);
            }
        }, null, ct);
        var verdict = doc.RootElement.GetProperty("verdict");
        return (verdict.GetProperty("passed").GetBoolean(), verdict.GetRawText());
    }

    /// <summary>Promotes a version to an alias (a passing, current verdict needed unless <paramref name="force"/> with a reason); returns the promotion's status: <c>MOVED</c> or <c>PENDING</c>.</summary>
    public async Task<string> PromoteAsync(string name, int version, string alias = "champion", bool force = false, string? reason = null, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, $"api/kiln/models/{Uri.EscapeDataString(name)}/promote", w =>
        {
            w.WriteNumber("version", version);
            w.WriteString("alias", alias);
            w.WriteBoolean("force", force);
            if (reason is not null)
            {
                w.WriteString("reason", reason);
            }
        }, null, ct);
        return doc.RootElement.TryGetProperty("pending", out _) ? "PENDING" : "MOVED";
    }

    /// <summary>Approves (or rejects) the promotion waiting on an alias; the approver must not be the requester.</summary>
    public async Task<string> DecidePromotionAsync(string name, string alias = "champion", bool approve = true, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, $"api/kiln/models/{Uri.EscapeDataString(name)}/approve", w =>
        {
            w.WriteString("alias", alias);
            w.WriteBoolean("reject", !approve);
        }, null, ct);
        return doc.RootElement.GetProperty("promotion").GetProperty("status").GetString()!;
    }

    /// <summary>Moves an alias back to its previous holder; returns the version it points at now.</summary>
    public async Task<int> RollbackAsync(string name, string alias = "champion", string? reason = null, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, $"api/kiln/models/{Uri.EscapeDataString(name)}/rollback", w =>
        {
            w.WriteString("alias", alias);
            if (reason is not null)
            {
                w.WriteString("reason", reason);
            }
        }, null, ct);
        return doc.RootElement.GetProperty("moved").GetProperty("version").GetInt32();
    }

    /// <summary>Audit log entries, oldest first: every change to the registry, datasets and experiments.</summary>
    /// <param name="resource">Only this resource and what is under it (e.g. <c>models/loans</c>).</param>
    /// <param name="since">Only entries at or after this time.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string? resource = null, DateTimeOffset? since = null, int limit = 1000, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/audit",
            [("resource", resource), ("since", since?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)), ("limit", limit.ToString(CultureInfo.InvariantCulture))], ct);
        return [.. doc.RootElement.GetProperty("entries").EnumerateArray().Select(e => new AuditEntry(e.GetProperty("id").GetInt64(), e.GetProperty("time").GetInt64(),
            e.GetProperty("user").GetString()!, e.GetProperty("action").GetString()!, e.GetProperty("resource").GetString()!, Raw(e, "before"), Raw(e, "after"),
            e.GetProperty("prev_hash").GetString()!, e.GetProperty("hash").GetString()!))];
    }

    /// <summary>Recomputes the audit log's hash chain on the server.</summary>
    public async Task<AuditVerification> VerifyAuditAsync(CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/audit/verify", [], ct);
        var r = doc.RootElement;
        return new AuditVerification(r.GetProperty("entries").GetInt64(), r.GetProperty("head").GetString()!,
            [.. r.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)]);
    }

    /// <summary>Subscribes a URL to registry events (all when none are named); returns its id and the signing secret (returned only here).</summary>
    public async Task<(string Id, string Secret)> AddWebhookAsync(string url, IReadOnlyList<string>? events = null, string? model = null, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, "api/kiln/webhooks", w =>
        {
            w.WriteString("url", url);
            w.WriteStartArray("events");
            foreach (var e in events ?? [])
            {
                w.WriteStringValue(e);
            }
            w.WriteEndArray();
            if (model is not null)
            {
                w.WriteString("model", model);
            }
        }, null, ct);
        var hook = doc.RootElement.GetProperty("webhook");
        return (hook.GetProperty("id").GetString()!, hook.GetProperty("secret").GetString()!);
    }

    /// <summary>Delivery history (newest first): event, attempts, last HTTP status, delivered or not.</summary>
    public async Task<IReadOnlyList<(long Id, string Event, int Attempts, int? LastStatus, bool Delivered)>> GetWebhookDeliveriesAsync(string? webhookId = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/webhooks/deliveries", [("webhook", webhookId)], ct);
        return [.. doc.RootElement.GetProperty("deliveries").EnumerateArray().Select(d => (d.GetProperty("id").GetInt64(), d.GetProperty("event").GetString()!,
            d.GetProperty("attempts").GetInt32(), d.TryGetProperty("last_status", out var s) ? s.GetInt32() : (int?)null, d.TryGetProperty("delivered_at", out _)))];
    }

    /// <summary>A version's model card: Markdown and a self-contained HTML page.</summary>
    public async Task<(string Markdown, string Html)> GetModelCardAsync(string name, int version, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/models/{Uri.EscapeDataString(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/card", [], ct);
        return (doc.RootElement.GetProperty("markdown").GetString()!, doc.RootElement.GetProperty("html").GetString()!);
    }

    /// <summary>A version's lineage as JSON: source run and its datasets (with validations), evaluations, verdicts, alias moves.</summary>
    public async Task<string> GetModelLineageJsonAsync(string name, int version, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/models/{Uri.EscapeDataString(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/lineage", [], ct);
        return doc.RootElement.GetRawText();
    }

    private static string? Raw(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetRawText();
}
