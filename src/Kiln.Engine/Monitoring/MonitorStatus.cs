using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Engine.Monitoring;

/// <summary>Every deployment's monitoring over one window (what <c>kiln monitor status</c> and the status endpoint show).</summary>
public static class MonitorStatus
{
    /// <summary>A snapshot per deployment, by name; a deployment that cannot be monitored (e.g. its model carries no
    /// training profile, or does not load) gets the reason instead.</summary>
    public static async Task<IReadOnlyList<(string Deployment, MonitorSnapshot? Snapshot, string? Error)>> ComputeAsync(IDeploymentStore deployments,
        MonitorService monitor, TimeSpan window, CancellationToken ct, int? maxRows = null)
    {
        var result = new List<(string, MonitorSnapshot?, string?)>();
        foreach (var deployment in (await deployments.ListAsync(ct)).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            try
            {
                result.Add((deployment.Name, await monitor.SnapshotAsync(deployment.Name, window, null, null, ct, maxRows), null));
            }
            catch (Exception e) when (e is KilnException or IOException)
            {
                result.Add((deployment.Name, null, e.Message));
            }
        }
        return result;
    }
}
