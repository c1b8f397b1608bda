using System.Globalization;
using System.Text.Json;
using Kiln.Core.Serving;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// The replicas' heartbeats on SQLite or PostgreSQL: one row per deployment and replica, replaced in place by each beat, with
/// the routes (versions served, traffic counters) as one JSON column, since they are only ever read whole. Not audited: they
/// change every few seconds and record no one's decision.
/// </summary>
public sealed class SqlReplicaStore(SqlDialect dialect) : IReplicaStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Migration 12: serving replicas.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE serving_replicas (
            deployment TEXT NOT NULL,
            replica TEXT NOT NULL,
            host TEXT NOT NULL,
            started_at {t.BigInt} NOT NULL,
            last_seen {t.BigInt} NOT NULL,
            window_seconds {t.Real} NOT NULL,
            routes_json TEXT NOT NULL,
            PRIMARY KEY (deployment, replica));
        CREATE INDEX ix_serving_replicas_seen ON serving_replicas (last_seen);
        """;

    public Task UpsertAsync(IReadOnlyList<ReplicaStatus> replicas, CancellationToken ct = default) =>
        replicas.Count == 0 ? Task.CompletedTask : dialect.WriteAsync(async (connection, transaction) =>
        {
            foreach (var r in replicas)
            {
                await connection.ExecuteAsync(transaction, """
                    INSERT INTO serving_replicas (deployment, replica, host, started_at, last_seen, window_seconds, routes_json) VALUES (@d, @r, @h, @s, @l, @w, @j)
                    ON CONFLICT (deployment, replica) DO UPDATE SET host = excluded.host, started_at = excluded.started_at, last_seen = excluded.last_seen,
                        window_seconds = excluded.window_seconds, routes_json = excluded.routes_json
                    """, ct, ("d", r.Deployment), ("r", r.Replica), ("h", r.Host), ("s", r.StartedAt), ("l", r.LastSeen), ("w", r.WindowSeconds),
                    ("j", JsonSerializer.Serialize(r.Routes, Json)));
            }
            return replicas.Count;
        }, ct);

    public async Task<IReadOnlyList<ReplicaStatus>> ListAsync(string? deployment = null, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null,
            $"SELECT deployment, replica, host, started_at, last_seen, window_seconds, routes_json FROM serving_replicas {(deployment is null ? "" : "WHERE deployment = @d")} ORDER BY last_seen DESC, deployment, replica");
        if (deployment is not null)
        {
            command.Add("d", deployment);
        }
        var list = new List<ReplicaStatus>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new ReplicaStatus(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                Convert.ToDouble(reader.GetValue(5), CultureInfo.InvariantCulture), JsonSerializer.Deserialize<List<ReplicaRoute>>(reader.GetString(6), Json) ?? []));
        }
        return list;
    }

    public Task<int> PruneAsync(long seenBefore, CancellationToken ct = default) =>
        dialect.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, "DELETE FROM serving_replicas WHERE last_seen < @t", ct, ("t", seenBefore)), ct);
}
