using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>
/// Takes served predictions off the request path. <see cref="TryLog(int, Action{PredictionRows})"/> encodes a request's rows as UTF-8 JSON into a
/// per-thread scratch batch, then copies them under a short lock into the batch being filled: nothing of the request
/// outlives it (no table, closure or string per row waits for the writer, so the garbage collector has nothing to
/// promote). <see cref="RunAsync"/>, on a thread of its own, swaps the filled batch for an empty one and writes it in one
/// transaction, waiting briefly only when little is queued. Past <see cref="MaxQueuedRows"/> rows or <see cref="MaxQueuedBytes"/> bytes a
/// request's rows are dropped and counted, never waited for. <see cref="SampleRate"/> (KILN_PREDICTION_SAMPLE, 0–1,
/// default 1) keeps that share of requests; <see cref="Budget"/> keeps the log's CPU within its share when the machine
/// is saturated.
/// </summary>
public sealed class PredictionLogWriter(IPredictionLog log)
{
    /// <summary>The most rows waiting to be written; a request that would pass it is dropped (and counted).</summary>
    public const int MaxQueuedRows = 200_000;

    /// <summary>The most bytes of text waiting to be written (a request past it is dropped and counted).</summary>
    public const int MaxQueuedBytes = 128 * 1024 * 1024;

    /// <summary>A write that fails is retried this many times before its rows are dropped (and counted).</summary>
    public const int Attempts = 3;

    [ThreadStatic]
    private static PredictionRows? t_scratch;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _ready = new(0);
    private PredictionRows _filling = new(1024 * 1024);
    private PredictionRows _writing = new(1024 * 1024);
    private int _failures;
    private long _dropped;
    private long _shed;
    private bool _signalled;

    /// <summary>Rows queued, as of the last change under the lock (read without it, to refuse a request early).</summary>
    private int _queued;

    /// <summary>The share of requests logged.</summary>
    public double SampleRate { get; init; } = double.TryParse(Environment.GetEnvironmentVariable("KILN_PREDICTION_SAMPLE"), System.Globalization.NumberStyles.Float,
        System.Globalization.CultureInfo.InvariantCulture, out var rate) ? Math.Clamp(rate, 0, 1) : 1;

    /// <summary>The nice value of the writer's thread on Linux (KILN_PREDICTION_LOG_NICE, 0–19, default 0: as the request
    /// threads run). Above 0, when the cores are busy the writer gets what the rest leave (and the queue, once full, drops
    /// and counts rows): more answers under overload, but logged rows can then wait seconds to be stored, so monitoring
    /// windows of the last seconds see fewer of them; on idle cores it writes at full speed either way.</summary>
    public int Nice { get; init; } = int.TryParse(Environment.GetEnvironmentVariable("KILN_PREDICTION_LOG_NICE"), System.Globalization.NumberStyles.Integer,
        System.Globalization.CultureInfo.InvariantCulture, out var nice) ? Math.Clamp(nice, 0, 19) : 0;

    /// <summary>The log's CPU budget: on a saturated machine, the share of requests logged is cut to keep within it.</summary>
    public LogBudget Budget { get; init; } = new();

    /// <summary>Rows of requests the budget left out (the machine was saturated and the log took more than its share).</summary>
    public long Shed => Interlocked.Read(ref _shed);

    /// <summary>The writer thread's kernel id once it runs (0 before, or off Linux).</summary>
    public int ThreadId { get; private set; }

    /// <summary>Rows dropped because the queue was full, because their write kept failing, or because they could not be encoded.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether to log a request (drawn per request, so a request's rows are all kept or all skipped).</summary>
    public bool Sample() => SampleRate >= 1 || Random.Shared.NextDouble() < SampleRate;

    /// <summary>Whether the CPU budget lets a sampled request be logged (drawn before its body is read, so a request left out
    /// costs nothing of the log's); when not, count its rows with <see cref="CountShed"/>.</summary>
    public bool Draw() => Budget.Draw();

    /// <summary>Counts the rows of a sampled request the budget left out.</summary>
    public void CountShed(int rows) => Interlocked.Add(ref _shed, rows);

    /// <summary>Rows queued and not yet written.</summary>
    public long QueuedRows
    {
        get
        {
            lock (_gate)
            {
                return _filling.Count + _writing.Count;
            }
        }
    }

    /// <summary>Encodes a request's rows with <paramref name="encode"/> (which adds them to the batch it is given) and
    /// queues them; never blocks on the writer.</summary>
    public void TryLog(Action<PredictionRows> encode) => TryLog(0, encode);

    /// <summary>
    /// As <see cref="TryLog(Action{PredictionRows})"/> for a request of <paramref name="rows"/> rows: when the queue has
    /// no room for that many, they are dropped and counted before any is encoded. A server sent more rows than its store
    /// can write spends nothing on the rows it drops (encoding a 1,000-row request's numbers costs more than scoring it).
    /// </summary>
    public void TryLog(int rows, Action<PredictionRows> encode)
    {
        if (rows > 0 && Volatile.Read(ref _queued) + rows > MaxQueuedRows)
        {
            Interlocked.Add(ref _dropped, rows);
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            Queue(encode);
        }
        finally
        {
            Budget.Spent(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    private void Queue(Action<PredictionRows> encode)
    {
        var scratch = t_scratch ??= new PredictionRows();
        scratch.Clear(keepBytes: 1024 * 1024);
        try
        {
            encode(scratch);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            // a row the log cannot encode must not fail the request it answered: counted with the dropped rows
            Interlocked.Add(ref _dropped, Math.Max(1, scratch.Count));
            return;
        }
        if (scratch.Count == 0)
        {
            return;
        }
        bool signal;
        lock (_gate)
        {
            if (_filling.Count + _writing.Count + scratch.Count > MaxQueuedRows || _filling.Length + scratch.Length > MaxQueuedBytes)
            {
                Interlocked.Add(ref _dropped, scratch.Count);
                return;
            }
            _filling.AddAll(scratch);
            Volatile.Write(ref _queued, _filling.Count + _writing.Count);
            signal = !_signalled;
            _signalled = true;
        }
        if (signal)
        {
            _ready.Release();
        }
    }

    /// <summary>
    /// Writes what arrives, a filled batch at a time, until cancelled; then writes what is left. Runs on a thread of its
    /// own: an embedded store's write is synchronous and takes tens of milliseconds per batch, which on a thread-pool
    /// thread would take one of the few threads (two on two cores) that answer requests.
    /// </summary>
    public Task RunAsync(CancellationToken ct) => Task.Factory.StartNew(() => Run(ct), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken ct)
    {
        ThreadId = WriterPriority.CurrentThreadId();
        if (Nice > 0)
        {
            WriterPriority.TrySet(Nice);
        }
        try
        {
            while (true)
            {
                Write(ct); // a batch a failed attempt left first
                while (!_ready.Wait(LogBudget.Interval, ct))
                {
                    Budget.Tick(); // idle: the budget is reconsidered all the same
                }
                Budget.Tick();
                if (QueuedRows < 500)
                {
                    ct.WaitHandle.WaitOne(50); // little waiting: let a burst gather into one batch
                    ct.ThrowIfCancellationRequested();
                }
                Swap();
                Write(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the server is stopping: keep what was served
            Write(CancellationToken.None);
            Swap();
            Write(CancellationToken.None);
        }
    }

    private void Swap()
    {
        lock (_gate)
        {
            if (_writing.Count == 0)
            {
                (_filling, _writing) = (_writing, _filling);
            }
            _signalled = false;
        }
    }

    private void Write(CancellationToken ct)
    {
        if (_writing.Count == 0)
        {
            return;
        }
        var cpu = WriterPriority.ThreadCpuTicks();
        try
        {
            // on this thread to the end, even past a wait for the store's write lock (which the other writers of an
            // embedded store, a pipeline worker's claims or the webhook outbox, hold at times)
            ThreadPump.Run(() => log.AppendAsync(_writing, ct));
        }
        catch (Exception) when (!ct.IsCancellationRequested && ++_failures < Attempts)
        {
            throw; // kept for the next attempt
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Interlocked.Add(ref _dropped, _writing.Count); // a batch that keeps failing is given up, not retried forever
            Done();
            throw;
        }
        finally
        {
            Budget.Spent(WriterPriority.ThreadCpuTicks() - cpu);
        }
        Done();
    }

    private void Done()
    {
        _failures = 0;
        lock (_gate)
        {
            _writing.Clear();
            Volatile.Write(ref _queued, _filling.Count + _writing.Count);
        }
    }
}
