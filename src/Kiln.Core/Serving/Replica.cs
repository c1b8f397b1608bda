namespace Kiln.Core.Serving;

/// <summary>What one replica serves on one route of a deployment, as its last heartbeat said.</summary>
/// <param name="Route">The route's name.</param>
/// <param name="Model">The route's model reference.</param>
/// <param name="ModelName">The registered model the reference resolved to, once loaded.</param>
/// <param name="ModelVersion">Its version, once loaded (null for a <c>runs:/</c> reference or before the first request).</param>
/// <param name="LoadedAt">Unix milliseconds the model it serves now was loaded (null before the route's first request).</param>
/// <param name="LoadFailure">The last load failure, if the replica could not load (or reload) the route's model.</param>
/// <param name="Total">Traffic since the replica started.</param>
/// <param name="Recent">Traffic over the heartbeat's recent window (<see cref="ReplicaStatus.WindowSeconds"/>).</param>
public sealed record ReplicaRoute(string Route, string Model, string? ModelName, int? ModelVersion, long? LoadedAt, string? LoadFailure, RouteTraffic Total, RouteTraffic Recent);

/// <summary>One serving process (<c>kiln server</c> or a <c>kiln serve</c> replica) as it reports itself for one deployment, every few seconds.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Replica">The process: <c>HOST:PORT/PID</c>.</param>
/// <param name="Host">The machine (in Kubernetes, the pod).</param>
/// <param name="StartedAt">Unix milliseconds the process started.</param>
/// <param name="LastSeen">Unix milliseconds of its last heartbeat.</param>
/// <param name="WindowSeconds">How long the routes' <see cref="ReplicaRoute.Recent"/> traffic took.</param>
/// <param name="Routes">The deployment's routes as this replica serves them.</param>
public sealed record ReplicaStatus(string Deployment, string Replica, string Host, long StartedAt, long LastSeen, double WindowSeconds, IReadOnlyList<ReplicaRoute> Routes);

/// <summary>The replicas' heartbeats: one row per replica and deployment, replaced by each beat.</summary>
public interface IReplicaStore
{
    /// <summary>Inserts or replaces rows (by deployment and replica) in one transaction.</summary>
    Task UpsertAsync(IReadOnlyList<ReplicaStatus> replicas, CancellationToken ct = default);

    /// <summary>The rows of one deployment, or of every deployment when <paramref name="deployment"/> is null; most recently seen first.</summary>
    Task<IReadOnlyList<ReplicaStatus>> ListAsync(string? deployment = null, CancellationToken ct = default);

    /// <summary>Deletes rows last seen before <paramref name="seenBefore"/> (replicas long gone); returns how many.</summary>
    Task<int> PruneAsync(long seenBefore, CancellationToken ct = default);
}
