using System.Threading.Channels;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>
/// Takes served predictions off the request path: <see cref="TryLog"/> only queues a request's records unbuilt (bounded by
/// rows, <see cref="MaxQueuedRows"/>; past it they are dropped and counted, never waited for), and <see cref="RunAsync"/>
/// builds them (the per-row JSON) and writes batches of up to <see cref="BatchRows"/> records, waiting briefly only when
/// little is queued. <see cref="SampleRate"/> (KILN_PREDICTION_SAMPLE, 0–1, default 1) keeps that share of requests.
/// </summary>
public sealed class PredictionLogWriter(IPredictionLog log)
{
    /// <summary>The most rows waiting to be written; a request that would pass it is dropped (and counted).</summary>
    public const int MaxQueuedRows = 200_000;

    /// <summary>The most records one write holds (also while draining at shutdown, so memory stays bounded).</summary>
    public const int BatchRows = 5_000;

    private readonly Channel<(int Rows, Func<IReadOnlyList<PredictionRecord>> Build)> _queue =
        Channel.CreateUnbounded<(int, Func<IReadOnlyList<PredictionRecord>>)>(new UnboundedChannelOptions { SingleReader = true });

    private long _dropped;
    private long _queuedRows;

    /// <summary>The share of requests logged.</summary>
    public double SampleRate { get; init; } = double.TryParse(Environment.GetEnvironmentVariable("KILN_PREDICTION_SAMPLE"), System.Globalization.NumberStyles.Float,
        System.Globalization.CultureInfo.InvariantCulture, out var rate) ? Math.Clamp(rate, 0, 1) : 1;

    /// <summary>Requests whose records were dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether to log a request (drawn per request, so a request's rows are all kept or all skipped).</summary>
    public bool Sample() => SampleRate >= 1 || Random.Shared.NextDouble() < SampleRate;

    /// <summary>Rows queued and not yet written.</summary>
    public long QueuedRows => Interlocked.Read(ref _queuedRows);

    /// <summary>Queues a request's <paramref name="rows"/> records, built later by the writer; never blocks.</summary>
    public void TryLog(int rows, Func<IReadOnlyList<PredictionRecord>> records)
    {
        if (Interlocked.Add(ref _queuedRows, rows) > MaxQueuedRows || !_queue.Writer.TryWrite((rows, records)))
        {
            Interlocked.Add(ref _queuedRows, -rows);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what arrives, in batches, until cancelled; then writes what is left, batch by batch.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<PredictionRecord>(BatchRows);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                if (QueuedRows < BatchRows / 10)
                {
                    await Task.Delay(50, ct); // little waiting: let a burst gather into one batch
                }
                Take(batch);
                await log.AppendAsync(batch, ct);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the server is stopping: keep what was served
            while (_queue.Reader.TryPeek(out _))
            {
                Take(batch);
                await log.AppendAsync(batch, CancellationToken.None);
                batch.Clear();
            }
        }
    }

    private void Take(List<PredictionRecord> batch)
    {
        while (batch.Count < BatchRows && _queue.Reader.TryRead(out var item))
        {
            Interlocked.Add(ref _queuedRows, -item.Rows);
            batch.AddRange(item.Build());
        }
    }
}
