using System.Diagnostics;
using System.Globalization;

namespace Kiln.Engine.Serving;

/// <summary>
/// Keeps the prediction log's share of the server's CPU within <see cref="Budget"/> when the machine has no CPU to spare.
/// Logging a row costs a few microseconds (encoding it on the request, storing it on the writer's thread): nothing to
/// throughput while some core is idle, but on a machine whose every core is busy it is taken from answering requests,
/// and for 1,000-row requests it is several times what scoring the rows costs. So every <see cref="Interval"/> the
/// writer compares the log's CPU (the time requests spent encoding rows plus the writer thread's CPU) with the whole
/// process's: when the machine was saturated (less than 5 % idle, from <c>/proc/stat</c>) and the log took more than the
/// budget, the share of requests logged (<see cref="Keep"/>) is scaled down to fit it; when cores are idle again, or the
/// log takes well under its budget, it grows back to every request. Requests left out are counted
/// (<c>kiln_prediction_log_shed_rows_total</c>), as a tracer's adaptive sampling does. Off Linux, or with a budget of 1,
/// every request is kept.
/// </summary>
public sealed class LogBudget
{
    /// <summary>How often the share is reconsidered.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Func<(long Idle, long Total)?> _machine;
    private readonly Func<TimeSpan> _process;
    private long _logTicks;
    private double _keep = 1;
    private long _lastTick;
    private long _lastLogTicks;
    private TimeSpan _lastProcess;
    private (long Idle, long Total)? _lastMachine;

    /// <summary>A budget reading the machine's idle time from <c>/proc/stat</c> and the process's CPU from the runtime.</summary>
    public LogBudget()
        : this(ReadProcStat, () => Environment.CpuUsage.TotalTime)
    {
    }

    /// <summary>A budget with its own readings of the machine's (idle, total) CPU time and the process's CPU time (for tests).</summary>
    public LogBudget(Func<(long Idle, long Total)?> machine, Func<TimeSpan> process)
    {
        _machine = machine;
        _process = process;
    }

    /// <summary>The most of the process's CPU the log may take on a saturated machine (KILN_PREDICTION_LOG_BUDGET, 0.01–1,
    /// default 0.05; 1: never shed). Logging's cost reaches past what is counted (the collector, caches), so the default
    /// leaves room under the 10 % of throughput it is meant to keep to.</summary>
    public double Budget { get; init; } = double.TryParse(Environment.GetEnvironmentVariable("KILN_PREDICTION_LOG_BUDGET"), NumberStyles.Float,
        CultureInfo.InvariantCulture, out var budget) ? Math.Clamp(budget, 0.01, 1) : 0.05;

    /// <summary>The share of requests logged now (1: all).</summary>
    public double Keep => Volatile.Read(ref _keep);

    /// <summary>Whether to log the next request.</summary>
    public bool Draw()
    {
        var keep = Keep;
        return keep >= 1 || Random.Shared.NextDouble() < keep;
    }

    /// <summary>Adds time the log took (Stopwatch ticks): a request's encoding, or the writer's CPU.</summary>
    public void Spent(long ticks) => Interlocked.Add(ref _logTicks, ticks);

    /// <summary>Reconsiders <see cref="Keep"/> when an <see cref="Interval"/> has passed since it last did (called by the writer).</summary>
    public void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        if (_lastTick != 0 && Stopwatch.GetElapsedTime(_lastTick, now) < Interval)
        {
            return;
        }
        var machine = Budget >= 1 ? null : _machine();
        var process = _process();
        var log = Interlocked.Read(ref _logTicks);
        if (_lastTick != 0 && machine is { } m && _lastMachine is { } before && m.Total > before.Total)
        {
            var idle = (double)(m.Idle - before.Idle) / (m.Total - before.Total);
            var processSpent = (process - _lastProcess).TotalSeconds;
            var logSpent = (double)(log - _lastLogTicks) / Stopwatch.Frequency;
            Adjust(idle, processSpent > 0 ? logSpent / processSpent : 0);
        }
        _lastTick = now;
        _lastMachine = machine;
        _lastProcess = process;
        _lastLogTicks = log;
    }

    /// <summary>One step: <paramref name="idle"/> of the machine's CPU was idle and the log took <paramref name="share"/> of the process's.</summary>
    internal void Adjust(double idle, double share)
    {
        var keep = Keep;
        if (idle < 0.05 && share > Budget)
        {
            keep = Math.Max(0.01, keep * Budget / share);
        }
        else if (idle >= 0.10 || share < Budget * 0.8)
        {
            keep = Math.Min(1, (keep * 1.25) + 0.02);
        }
        Volatile.Write(ref _keep, keep);
    }

    /// <summary>The machine's idle and total CPU time (jiffies) from the first line of <c>/proc/stat</c>, or null.</summary>
    private static (long Idle, long Total)? ReadProcStat()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return null;
            }
            long total = 0, idle = 0;
            var i = 0;
            foreach (var part in line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var value = long.Parse(part, CultureInfo.InvariantCulture);
                total += value;
                if (i is 3 or 4) // idle, iowait
                {
                    idle += value;
                }
                i++;
            }
            return (idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
