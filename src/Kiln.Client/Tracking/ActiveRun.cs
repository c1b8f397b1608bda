using System.Threading.Channels;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Client;

/// <summary>
/// A run being logged to. <see cref="LogMetric"/>, <see cref="LogParam"/> and <see cref="SetTag"/> return at once;
/// a background sender groups them into log-batch requests (up to MLflow's limits) in the order they were made.
/// <see cref="FlushAsync"/> returns once everything logged before it is stored, or throws what failed;
/// disposing ends the run (FINISHED) after a flush, and throws if anything was not delivered.
/// </summary>
public sealed class ActiveRun : IAsyncDisposable, IDisposable
{
    private const int MaxAttempts = 5;

    private readonly KilnClient _client;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _sender;
    private readonly List<Exception> _errors = [];
    private bool _ended;

    internal ActiveRun(KilnClient client, RunInfo info)
    {
        _client = client;
        Info = info;
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>The run as created.</summary>
    public RunInfo Info { get; }

    /// <summary>The run's id (<see cref="RunInfo.RunId"/> of <see cref="Info"/>).</summary>
    public string RunId => Info.RunId;

    /// <summary>Queues a metric point; returns immediately.</summary>
    /// <param name="key">The metric's name: at most 250 characters of letters, digits, <c>_ - . /</c> and spaces.</param>
    /// <param name="value">The value; NaN and infinities are allowed.</param>
    /// <param name="step">The training step; defaults to 0.</param>
    /// <param name="timestamp">Milliseconds since the Unix epoch; null (the default) is the time of this call.</param>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public void LogMetric(string key, double value, long step = 0, long? timestamp = null) =>
        Enqueue(new Entry(new Metric(key, value, timestamp ?? _client.NowMs(), step), null, null, null));

    /// <summary>Queues a param; returns immediately.</summary>
    /// <param name="key">The param's name (at most 250 characters).</param>
    /// <param name="value">The value (at most 6000 characters); a param cannot change, so a second, different value fails at the next flush.</param>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public void LogParam(string key, string value) => Enqueue(new Entry(null, new Param(key, value), null, null));

    /// <summary>Queues a tag; returns immediately.</summary>
    /// <param name="key">The tag's name (at most 250 characters).</param>
    /// <param name="value">The value (at most 8000 characters), replacing any value the tag had.</param>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public void SetTag(string key, string value) => Enqueue(new Entry(null, null, new Tag(key, value), null));

    /// <summary>Waits until everything logged so far is stored; throws a <see cref="KilnException"/> describing anything that failed since the last flush.</summary>
    /// <remarks>Batches that fail with a network error, a timeout, <c>TEMPORARILY_UNAVAILABLE</c> or <c>INTERNAL_ERROR</c> are retried (up to 5 attempts) before they count as failed.</remarks>
    /// <param name="ct">Stops waiting; what was queued is still sent.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">Some batches since the last flush were not stored; the code is the first failure's.</exception>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new Entry(null, null, null, done));
        await done.Task.WaitAsync(ct);
    }

    /// <summary>Flushes, then marks the run ended with <paramref name="status"/>.</summary>
    /// <remarks>Sets the end time to now (MLflow's <c>runs/update</c>) even if the flush fails; later logging calls throw. Calling it again does nothing.</remarks>
    /// <param name="status">The final status; defaults to <see cref="RunStatus.Finished"/>.</param>
    /// <param name="ct">Cancels the flush wait and the update request.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">Something logged was not stored, or the server rejected the update.</exception>
    public async Task EndAsync(RunStatus status = RunStatus.Finished, CancellationToken ct = default)
    {
        if (_ended)
        {
            return;
        }
        try
        {
            await FlushAsync(ct);
        }
        finally
        {
            _ended = true;
            _queue.Writer.TryComplete();
            await _client.UpdateRunAsync(RunId, status, _client.NowMs(), ct: ct);
        }
    }

    /// <summary>Ends the run as FINISHED unless <see cref="EndAsync"/> already ended it, then waits for the background sender to stop.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">Something logged was not stored, or the server rejected the update.</exception>
    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        await _sender;
    }

    /// <summary>Blocks on <see cref="DisposeAsync"/>; prefer <c>await using</c> where you can.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">Something logged was not stored, or the server rejected the update.</exception>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Enqueue(Entry entry)
    {
        if (_ended || !_queue.Writer.TryWrite(entry))
        {
            throw new InvalidOperationException($"Run {RunId} has ended; start a new run to log more.");
        }
    }

    private async Task SendLoopAsync()
    {
        var metrics = new List<Metric>();
        var parameters = new List<Param>();
        var tags = new List<Tag>();
        var paramKeys = new HashSet<string>(StringComparer.Ordinal);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                if (entry.Flush is { } flush)
                {
                    await SendAsync(metrics, parameters, tags, paramKeys);
                    CompleteFlush(flush);
                    continue;
                }
                // A second value for a param in one batch would fail the whole batch: send what we have first.
                if (entry.Param is { } p && paramKeys.Contains(p.Key))
                {
                    await SendAsync(metrics, parameters, tags, paramKeys);
                }
                if (entry.Metric is { } m)
                {
                    metrics.Add(m);
                }
                else if (entry.Param is { } param)
                {
                    parameters.Add(param);
                    paramKeys.Add(param.Key);
                }
                else if (entry.Tag is { } t)
                {
                    tags.Add(t);
                }
                if (metrics.Count == TrackingLimits.MaxMetricsPerBatch - TrackingLimits.MaxParamsPerBatch - TrackingLimits.MaxTagsPerBatch ||
                    parameters.Count == TrackingLimits.MaxParamsPerBatch || tags.Count == TrackingLimits.MaxTagsPerBatch)
                {
                    await SendAsync(metrics, parameters, tags, paramKeys);
                }
            }
            await SendAsync(metrics, parameters, tags, paramKeys);
        }
    }

    private void CompleteFlush(TaskCompletionSource flush)
    {
        if (_errors.Count == 0)
        {
            flush.SetResult();
            return;
        }
        var first = _errors[0];
        var code = first is KilnException k ? k.Code : ErrorCode.TemporarilyUnavailable;
        var message = $"{_errors.Count} batch(es) logged to run {RunId} were not stored: {first.Message}";
        _errors.Clear();
        flush.SetException(new KilnException(code, message, first));
    }

    private async Task SendAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags, HashSet<string> paramKeys)
    {
        if (metrics.Count + parameters.Count + tags.Count == 0)
        {
            return;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.LogBatchAsync(RunId, metrics, parameters, tags);
                break;
            }
            catch (Exception e) when (IsTransient(e) && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt)));
            }
            catch (Exception e)
            {
                _errors.Add(e);
                break;
            }
        }
        metrics.Clear();
        parameters.Clear();
        tags.Clear();
        paramKeys.Clear();
    }

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or TaskCanceledException || e is KilnException { Code: ErrorCode.TemporarilyUnavailable or ErrorCode.InternalError };

    private readonly record struct Entry(Metric? Metric, Param? Param, Tag? Tag, TaskCompletionSource? Flush);
}
