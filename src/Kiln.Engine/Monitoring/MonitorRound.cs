using Kiln.Core.Serving;
using Kiln.Engine.Monitoring.Alerts;

namespace Kiln.Engine.Monitoring;

/// <summary>One deployment's part of a monitoring round.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Snapshot">Its window, or null when it could not be monitored.</param>
/// <param name="Error">Why not, or null.</param>
/// <param name="Changes">Alerts that fired or resolved.</param>
public sealed record MonitorResult(string Deployment, MonitorSnapshot? Snapshot, string? Error, IReadOnlyList<AlertChange> Changes);

/// <summary>
/// A round of monitoring (what the server's scheduler runs every interval): every deployment's completed minutes summarised
/// into stored slices, its last window (the slices merged, plus the rows since), then the alert rules on it. The window's end is aligned down to the interval, so a round repeated after a restart judges the
/// same window and the alert store counts it once.
/// </summary>
public sealed class MonitorRound(IDeploymentStore deployments, MonitorService monitor, AlertService alerts, TimeProvider time)
{
    /// <summary>Runs a round over windows of <paramref name="window"/> (each at most its newest <paramref name="maxRows"/>
    /// rows), rounds every <paramref name="interval"/>.</summary>
    public async Task<IReadOnlyList<MonitorResult>> RunAsync(TimeSpan window, TimeSpan interval, CancellationToken ct = default, int? maxRows = null)
    {
        var step = Math.Max(1, (long)interval.TotalMilliseconds);
        var windowEnd = time.GetUtcNow().ToUnixTimeMilliseconds() / step * step;
        var results = new List<MonitorResult>();
        foreach (var deployment in await deployments.ListAsync(ct))
        {
            try
            {
                await monitor.SummarizeAsync(deployment.Name, null, window, ct); // completed minutes become stored slices, read once
            }
            catch (Exception e) when (e is Core.Errors.KilnException or IOException)
            {
                // not monitorable (e.g. no training profile): the status below reports why
            }
        }
        foreach (var (deployment, snapshot, error) in await MonitorStatus.ComputeAsync(deployments, monitor, window, ct, maxRows))
        {
            var changes = snapshot is null ? [] : await alerts.EvaluateAsync(snapshot, windowEnd, ct);
            results.Add(new MonitorResult(deployment, snapshot, error, changes));
        }
        return results;
    }
}
