using System.Text.Json;

namespace Kiln.Client;

/// <summary>A route's traffic now, across a deployment's live replicas.</summary>
/// <param name="Route">The route.</param>
/// <param name="RequestsPerSecond">Requests per second over the replicas' recent windows.</param>
/// <param name="RecentRequests">Requests in those windows.</param>
/// <param name="RecentErrors">Of those, the ones answered with an error status.</param>
/// <param name="P50Ms">Their median latency in milliseconds (null without requests).</param>
/// <param name="P95Ms">Their 95th percentile latency in milliseconds.</param>
/// <param name="Requests">Requests since the replicas started.</param>
/// <param name="Errors">Errors since the replicas started.</param>
public sealed record RouteLiveTraffic(string Route, double RequestsPerSecond, long RecentRequests, long RecentErrors, double? P50Ms, double? P95Ms, long Requests, long Errors);

/// <summary>What one replica serves on one route.</summary>
/// <param name="Route">The route.</param>
/// <param name="Model">The route's model reference.</param>
/// <param name="ModelName">The registered model loaded for it (null until loaded, or for a <c>runs:/</c> reference).</param>
/// <param name="ModelVersion">The version loaded.</param>
/// <param name="LoadedAt">Unix milliseconds the model it serves was loaded (null before the route's first request).</param>
/// <param name="LoadFailure">The last load failure, if any.</param>
/// <param name="RequestsPerSecond">This replica's recent request rate on the route.</param>
/// <param name="Requests">Requests since the replica started.</param>
/// <param name="Errors">Errors since the replica started.</param>
public sealed record ReplicaRouteInfo(string Route, string Model, string? ModelName, int? ModelVersion, long? LoadedAt, string? LoadFailure, double RequestsPerSecond, long Requests, long Errors);

/// <summary>A serving process as its last heartbeat described it.</summary>
/// <param name="Replica">Its id, <c>HOST:PORT/PID</c>.</param>
/// <param name="Host">Its machine (or pod).</param>
/// <param name="Live">Whether it beat recently (else stale: stopped or cut off).</param>
/// <param name="StartedAt">Unix milliseconds it started.</param>
/// <param name="LastSeen">Unix milliseconds of its last heartbeat.</param>
/// <param name="Routes">The deployment's routes as it serves them.</param>
public sealed record ReplicaInfo(string Replica, string Host, bool Live, long StartedAt, long LastSeen, IReadOnlyList<ReplicaRouteInfo> Routes);

/// <summary>A deployment's replicas and its routes' live traffic.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Version">Its current version.</param>
/// <param name="Routes">Each route's live traffic.</param>
/// <param name="Replicas">The replicas, most recently seen first.</param>
public sealed record DeploymentReplicas(string Deployment, int Version, IReadOnlyList<RouteLiveTraffic> Routes, IReadOnlyList<ReplicaInfo> Replicas);

public sealed partial class KilnClient
{
    /// <summary>A deployment's replicas (live and stale), the version each serves per route, and each route's live rate, errors and latency.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_DOES_NOT_EXIST</c> when there is no such deployment.</exception>
    public async Task<DeploymentReplicas> GetDeploymentReplicasAsync(string name, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/deployments/{Uri.EscapeDataString(name)}/replicas", [], ct);
        var root = doc.RootElement;
        return new DeploymentReplicas(root.GetProperty("deployment").GetString()!, root.GetProperty("version").GetInt32(),
            [.. root.GetProperty("routes").EnumerateArray().Select(r => new RouteLiveTraffic(r.GetProperty("route").GetString()!, r.GetProperty("requests_per_second").GetDouble(),
                r.GetProperty("recent_requests").GetInt64(), r.GetProperty("recent_errors").GetInt64(), Optional(r, "p50_ms"), Optional(r, "p95_ms"),
                r.GetProperty("requests").GetInt64(), r.GetProperty("errors").GetInt64()))],
            [.. root.GetProperty("replicas").EnumerateArray().Select(ReadReplica)]);
    }

    private static ReplicaInfo ReadReplica(JsonElement e) => new(e.GetProperty("replica").GetString()!, e.GetProperty("host").GetString()!,
        e.GetProperty("status").GetString() == "live", e.GetProperty("started_at").GetInt64(), e.GetProperty("last_seen").GetInt64(),
        [.. e.GetProperty("routes").EnumerateArray().Select(r => new ReplicaRouteInfo(r.GetProperty("route").GetString()!, r.GetProperty("model").GetString()!,
            r.TryGetProperty("model_name", out var n) ? n.GetString() : null, r.TryGetProperty("model_version", out var v) ? v.GetInt32() : null,
            r.TryGetProperty("loaded_at", out var l) ? l.GetInt64() : null,
            r.TryGetProperty("load_failure", out var f) ? f.GetString() : null, r.GetProperty("requests_per_second").GetDouble(),
            r.GetProperty("requests").GetInt64(), r.GetProperty("errors").GetInt64()))]);

    private static double? Optional(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetDouble() : null;
}
