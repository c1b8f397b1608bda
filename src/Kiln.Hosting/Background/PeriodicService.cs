using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Background;

/// <summary>
/// The shape of Kiln's background work (monitors, schedulers, the serving reloader, workers): a hosted service that
/// runs <see cref="RunOnceAsync"/> every <see cref="Interval"/> on the injected clock, starting and stopping with the
/// host. A failing round is logged and the next one runs; stopping cancels the round in progress.
/// Register one with <c>services.AddHostedService&lt;T&gt;()</c> in the feature's <c>AddKilnX()</c>.
/// </summary>
public abstract class PeriodicService(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>Time between the starts of two rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One round of work.</summary>
    protected abstract Task RunOnceAsync(CancellationToken ct);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "{Service}: a round failed; the next runs in {Interval}.", GetType().Name, Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
