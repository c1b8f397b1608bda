using Kiln.Engine.Registry.Webhooks;
using Kiln.Hosting.Background;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Registry;

/// <summary>Delivers webhook events from the durable outbox every second while the server runs (any server on the store may; claims are leased).</summary>
internal sealed class WebhookDispatcher(WebhookService webhooks, TimeProvider time, ILogger<WebhookDispatcher> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        // drain what is due, then wait for the next round
        while (await webhooks.DeliverDueAsync(ct) > 0 && !ct.IsCancellationRequested)
        {
        }
    }
}
