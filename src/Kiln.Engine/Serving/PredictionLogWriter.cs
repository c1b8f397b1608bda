using System.Threading.Channels;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>
/// Takes served predictions off the request path: <see cref="TryLog"/> only queues a request's records unbuilt (a bounded
/// queue; when it is full they are dropped and counted, never waited for), and <see cref="RunAsync"/> builds them (the
/// per-row JSON) and writes batches of about 1,000 records.
/// <see cref="SampleRate"/> (KILN_PREDICTION_SAMPLE, 0–1, default 1) keeps that share of requests.
/// </summary>
public sealed class PredictionLogWriter(IPredictionLog log)
{
    private readonly Channel<Func<IReadOnlyList<PredictionRecord>>> _queue = Channel.CreateBounded<Func<IReadOnlyList<PredictionRecord>>>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });

    private long _dropped;

    /// <summary>The share of requests logged.</summary>
    public double SampleRate { get; init; } = double.TryParse(Environment.GetEnvironmentVariable("KILN_PREDICTION_SAMPLE"), System.Globalization.NumberStyles.Float,
        System.Globalization.CultureInfo.InvariantCulture, out var rate) ? Math.Clamp(rate, 0, 1) : 1;

    /// <summary>Requests whose records were dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether to log a request (drawn per request, so a request's rows are all kept or all skipped).</summary>
    public bool Sample() => SampleRate >= 1 || Random.Shared.NextDouble() < SampleRate;

    /// <summary>Queues a request's records, built later by the writer; never blocks.</summary>
    public void TryLog(Func<IReadOnlyList<PredictionRecord>> records)
    {
        if (!_queue.Writer.TryWrite(records))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what arrives, in batches, until cancelled; then writes what is left.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<PredictionRecord>(1000);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                await Task.Delay(50, ct); // let a burst gather into one batch
                while (batch.Count < 1000 && _queue.Reader.TryRead(out var records))
                {
                    batch.AddRange(records());
                }
                await log.AppendAsync(batch, ct);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            while (_queue.Reader.TryRead(out var records))
            {
                batch.AddRange(records());
            }
            await log.AppendAsync(batch, CancellationToken.None); // the server is stopping: keep what was served
        }
    }
}
