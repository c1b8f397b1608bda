using System.Threading.RateLimiting;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving;

/// <summary>
/// Bounds the scoring requests in flight: <see cref="ServingLimits.MaxConcurrency"/> score at once, up to
/// <see cref="ServingLimits.QueueLimit"/> more wait their turn (oldest first), and the next is refused at once with
/// TEMPORARILY_UNAVAILABLE (503 with <c>Retry-After: 1</c>; gRPC UNAVAILABLE). A slot is held from before the request's
/// body is read until its answer is written, so a slow upload counts as work.
/// </summary>
public sealed class ScoringLimiter : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly ServingLimits _limits;

    /// <summary>A limiter for <paramref name="limits"/>.</summary>
    public ScoringLimiter(ServingLimits limits)
    {
        _limits = limits;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.MaxConcurrency,
            QueueLimit = limits.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Slots free now (for tests and diagnostics).</summary>
    public long Available => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>Requests holding a slot now.</summary>
    public int Scoring => Volatile.Read(ref _scoring);

    private int _scoring;

    /// <summary>Takes a slot, waiting in the queue if there is room; the lease gives it back when disposed.</summary>
    public async ValueTask<IDisposable> AcquireAsync(CancellationToken ct)
    {
        var lease = await _limiter.AcquireAsync(1, ct);
        if (lease.IsAcquired)
        {
            Interlocked.Increment(ref _scoring);
            return new Slot(this, lease);
        }
        lease.Dispose();
        throw new KilnException(ErrorCode.TemporarilyUnavailable,
            $"The server is saturated: {_limits.MaxConcurrency} requests are scoring and {_limits.QueueLimit} waiting. Retry after a second, add replicas (kiln serve), or raise --max-concurrency / --queue-limit (KILN_SERVING_MAX_CONCURRENCY, KILN_SERVING_QUEUE_LIMIT).");
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();

    private sealed class Slot(ScoringLimiter limiter, RateLimitLease lease) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref limiter._scoring);
                lease.Dispose();
            }
        }
    }
}
