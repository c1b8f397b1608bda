using System.Globalization;
using Kiln.Engine.Monitoring;
using Kiln.Hosting.Background;
using Kiln.Server.Monitoring;
using Microsoft.Extensions.Logging;

namespace Kiln.Hosting.Monitoring;

/// <summary>
/// Monitors every deployment inside <c>kiln server</c>: each <c>KILN_MONITOR_INTERVAL</c> seconds (default 60) it computes
/// the last <c>KILN_MONITOR_WINDOW</c> (default 1h) of each deployment's prediction log (at most its newest
/// <c>KILN_MONITOR_MAX_ROWS</c>, default 200,000, which bounds a round's work on a busy server) and sets the Prometheus gauges
/// (<see cref="MonitorMetrics"/>) and judges the alert rules (<see cref="MonitorRound"/>); a deployment that cannot be
/// monitored is logged once per reason.
/// </summary>
internal sealed class MonitorScheduler(MonitorRound round, MonitorMetrics metrics, TimeProvider time, ILogger<MonitorScheduler> logger)
    : PeriodicService(time, logger)
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>Whether this server runs monitoring rounds: not when <c>KILN_MONITOR_INTERVAL</c> is <c>0</c> or <c>off</c>
    /// (e.g. serving processes on a busy machine, with monitoring left to another <c>kiln server</c> on the same store).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("KILN_MONITOR_INTERVAL")?.Trim() is not ("0" or "off");

    protected override TimeSpan Interval { get; } = TimeSpan.FromSeconds(Setting("KILN_MONITOR_INTERVAL", 60));

    private static TimeSpan Window => Environment.GetEnvironmentVariable("KILN_MONITOR_WINDOW") is { Length: > 0 } w ? WindowLength.Parse(w) : TimeSpan.FromHours(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        foreach (var (deployment, snapshot, error, changes) in await round.RunAsync(Window, Interval, ct, (int)Setting("KILN_MONITOR_MAX_ROWS", 200_000)))
        {
            foreach (var (alert, change, log) in changes.Where(c => c.Log))
            {
                logger.LogWarning("Alert {Id} ({Severity}) {Change}: rule {Rule} on {Deployment}: {Message}", alert.Id, alert.Severity, change, alert.Rule, alert.Deployment, alert.Message);
            }
            if (snapshot is not null)
            {
                metrics.Record(snapshot);
            }
            else if (_reported.Add($"{deployment}\n{error}"))
            {
                logger.LogWarning("Deployment {Deployment} is not monitored: {Reason}", deployment, error);
            }
        }
    }

    private static double Setting(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}
