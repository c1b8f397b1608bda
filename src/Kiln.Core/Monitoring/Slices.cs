namespace Kiln.Core.Monitoring;

/// <summary>The stored summary of one route's logged traffic over [<see cref="Start"/>, <see cref="End"/>): profiles and
/// counters that merge, so a window is the merge of its slices and no logged row is read twice.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The answering route.</param>
/// <param name="Start">Unix milliseconds, inclusive.</param>
/// <param name="End">Unix milliseconds, exclusive; with the deployment, route and start, the slice's key (a minute's slice
/// and the hour's slice that rolls it up differ by their start).</param>
/// <param name="Rows">Logged rows summarised.</param>
/// <param name="Summary">The summary as JSON (the engine's format).</param>
public sealed record MonitorSlice(string Deployment, string Route, long Start, long End, int Rows, string Summary);

/// <summary>Monitoring's stored slices.</summary>
public interface IMonitorSliceStore
{
    /// <summary>Stores a slice; false when a slice with the same start and end exists (it is kept: a slice is summarised once).</summary>
    Task<bool> SaveAsync(MonitorSlice slice, CancellationToken ct = default);

    /// <summary>The end of the route's newest slice <paramref name="length"/> milliseconds long, or null.</summary>
    Task<long?> LastEndAsync(string deployment, string route, long length, CancellationToken ct = default);

    /// <summary>The route's slices <paramref name="length"/> milliseconds long with <paramref name="from"/> ≤ start and
    /// end ≤ <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<MonitorSlice>> ReadAsync(string deployment, string route, long from, long to, long length, CancellationToken ct = default);
}
