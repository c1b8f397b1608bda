using System.Text.Json;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// What the replicas' heartbeats say: <c>GET /api/kiln/deployments/{name}/replicas</c> (each replica, live or stale, with the
/// version it serves per route and its traffic; and each route's live rate, errors and latency across the live ones) and
/// <c>GET /api/kiln/replicas</c> (every deployment's routes' live traffic, for overviews).
/// </summary>
public sealed class ReplicasSurface : IEndpointSurface
{
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/kiln/deployments"), new("/api/kiln/replicas")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapJson<IReplicaStore>("/api/kiln/deployments/{name}/replicas", ["GET"], async (call, replicas) =>
        {
            var deployment = await call.Service<IDeploymentStore>().GetAsync(Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!), call.Ct);
            var rows = await replicas.ListAsync(deployment.Name, call.Ct);
            var now = call.Service<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            var w = call.Json;
            w.WriteString("deployment", deployment.Name);
            w.WriteNumber("version", deployment.Version);
            w.WriteNumber("time", now);
            w.WriteNumber("live_within_seconds", ReplicaReport.LiveWithin.TotalSeconds);
            WriteRates(w, ReplicaReport.Routes(deployment.Routes.Select(r => r.Name), rows, now));
            w.WriteStartArray("replicas");
            foreach (var replica in rows)
            {
                WriteReplica(w, replica, now);
            }
            w.WriteEndArray();
        }, Writer);

        app.MapJson<IReplicaStore>("/api/kiln/replicas", ["GET"], async (call, replicas) =>
        {
            var rows = (await replicas.ListAsync(null, call.Ct)).ToLookup(r => r.Deployment, StringComparer.Ordinal);
            var now = call.Service<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            var w = call.Json;
            w.WriteNumber("time", now);
            w.WriteStartArray("deployments");
            foreach (var deployment in await call.Service<IDeploymentStore>().ListAsync(call.Ct))
            {
                var mine = rows[deployment.Name].ToList();
                w.WriteStartObject();
                w.WriteString("name", deployment.Name);
                w.WriteNumber("live_replicas", mine.Count(r => ReplicaReport.IsLive(r, now)));
                w.WriteNumber("stale_replicas", mine.Count(r => !ReplicaReport.IsLive(r, now)));
                WriteRates(w, ReplicaReport.Routes(deployment.Routes.Select(r => r.Name), mine, now));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, Writer);
    }

    private static void WriteRates(Utf8JsonWriter w, IReadOnlyList<RouteRate> rates)
    {
        w.WriteStartArray("routes");
        foreach (var rate in rates)
        {
            w.WriteStartObject();
            w.WriteString("route", rate.Route);
            w.WriteNumber("requests_per_second", rate.RequestsPerSecond);
            WriteTraffic(w, rate.Recent, rate.Total);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteReplica(Utf8JsonWriter w, ReplicaStatus replica, long now)
    {
        w.WriteStartObject();
        w.WriteString("replica", replica.Replica);
        w.WriteString("host", replica.Host);
        w.WriteString("status", ReplicaReport.IsLive(replica, now) ? "live" : "stale");
        w.WriteNumber("started_at", replica.StartedAt);
        w.WriteNumber("last_seen", replica.LastSeen);
        w.WriteNumber("window_seconds", replica.WindowSeconds);
        w.WriteStartArray("routes");
        foreach (var route in replica.Routes)
        {
            w.WriteStartObject();
            w.WriteString("route", route.Route);
            w.WriteString("model", route.Model);
            if (route.ModelName is not null && route.ModelVersion is { } version)
            {
                w.WriteString("model_name", route.ModelName);
                w.WriteNumber("model_version", version);
            }
            if (route.LoadedAt is { } loadedAt)
            {
                w.WriteNumber("loaded_at", loadedAt);
            }
            if (route.LoadFailure is not null)
            {
                w.WriteString("load_failure", route.LoadFailure);
            }
            w.WriteNumber("requests_per_second", route.Recent.Requests / replica.WindowSeconds);
            WriteTraffic(w, route.Recent, route.Total);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Recent counts and percentiles, then the totals since the replicas started.</summary>
    private static void WriteTraffic(Utf8JsonWriter w, RouteTraffic recent, RouteTraffic total)
    {
        w.WriteNumber("recent_requests", recent.Requests);
        w.WriteNumber("recent_errors", recent.Errors);
        WriteOptional(w, "p50_ms", recent.PercentileMs(0.5));
        WriteOptional(w, "p95_ms", recent.PercentileMs(0.95));
        w.WriteNumber("requests", total.Requests);
        w.WriteNumber("errors", total.Errors);
        w.WriteNumber("latency_ms_sum", total.LatencySumMs);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
