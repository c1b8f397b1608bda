using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Storage.Sql.Serving;

/// <summary>Deployments on SQLite or PostgreSQL: every version kept (<c>deployment_versions</c>), the current one marked on <c>deployments</c>; each save is audited.</summary>
public sealed class SqlDeploymentStore(SqlDialect dialect, TimeProvider clock) : IDeploymentStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Migration 10: deployments and their versions.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE deployments (
            name TEXT PRIMARY KEY,
            version INTEGER NOT NULL);
        CREATE TABLE deployment_versions (
            name TEXT NOT NULL REFERENCES deployments (name) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            routes_json TEXT NOT NULL,
            updated_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (name, version));
        """;

    public async Task<Deployment> SaveAsync(string name, IReadOnlyList<DeploymentRoute> routes, int expectedVersion, string userId, long time, CancellationToken ct = default)
    {
        var json = JsonSerializer.Serialize(routes, Json);
        try
        {
            return await dialect.WriteAsync(async (connection, transaction) =>
            {
                var current = await connection.ScalarAsync(transaction, "SELECT version FROM deployments WHERE name = @n", ct, ("n", name)) is { } v
                    ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
                    : 0;
                if (current != expectedVersion)
                {
                    throw current == 0
                        ? KilnException.NotFound($"No deployment named '{name}': create it with kiln deploy create {name} …")
                        : expectedVersion == 0
                            ? KilnException.AlreadyExists($"Deployment '{name}' already exists: change it with kiln deploy update {name} …")
                            : KilnException.Conflict($"Deployment '{name}' changed meanwhile (now version {current}, not {expectedVersion}): look at it again and retry.");
                }
                var next = current + 1;
                if (current == 0)
                {
                    await connection.ExecuteAsync(transaction, "INSERT INTO deployments (name, version) VALUES (@n, 1)", ct, ("n", name));
                }
                else
                {
                    await connection.ExecuteAsync(transaction, "UPDATE deployments SET version = @v WHERE name = @n", ct, ("v", next), ("n", name));
                }
                await connection.ExecuteAsync(transaction, "INSERT INTO deployment_versions (name, version, routes_json, updated_at, user_id) VALUES (@n, @v, @r, @t, @u)", ct,
                    ("n", name), ("v", next), ("r", json), ("t", time), ("u", userId));
                await Audit.AuditLog.AppendAsync(connection, transaction, dialect, clock, current == 0 ? "deployment.create" : "deployment.update", $"deployments/{name}",
                    current == 0 ? null : new { version = current }, new { version = next, routes }, ct, userId);
                return new Deployment(name, routes, next, time, userId);
            }, ct);
        }
        catch (Exception e) when (dialect.IsUniqueViolation(e))
        {
            throw KilnException.AlreadyExists($"Deployment '{name}' already exists: change it with kiln deploy update {name} …");
        }
    }

    public async Task<Deployment> GetAsync(string name, CancellationToken ct = default) =>
        (await ReadAsync("WHERE d.name = @n", [("n", name)], ct)).SingleOrDefault()
        ?? throw KilnException.NotFound($"No deployment named '{name}': list them with kiln deploy list.");

    public Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken ct = default) => ReadAsync("ORDER BY d.name", [], ct);

    public async Task<IReadOnlyList<Deployment>> HistoryAsync(string name, CancellationToken ct = default)
    {
        await GetAsync(name, ct);
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT name, version, routes_json, updated_at, user_id FROM deployment_versions WHERE name = @n ORDER BY version DESC");
        command.Add("n", name);
        return await ReadRowsAsync(command, ct);
    }

    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        var deleted = await dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM deployment_versions WHERE name = @n", ct, ("n", name));
            await connection.ExecuteAsync(transaction, "DELETE FROM serving_replicas WHERE deployment = @n", ct, ("n", name)); // their heartbeats go with it
            var count = await connection.ExecuteAsync(transaction, "DELETE FROM deployments WHERE name = @n", ct, ("n", name));
            if (count > 0)
            {
                await Audit.AuditLog.AppendAsync(connection, transaction, dialect, clock, "deployment.delete", $"deployments/{name}", new { name }, null, ct);
            }
            return count;
        }, ct);
        if (deleted == 0)
        {
            throw KilnException.NotFound($"No deployment named '{name}': list them with kiln deploy list.");
        }
    }

    private async Task<IReadOnlyList<Deployment>> ReadAsync(string tail, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null,
            $"SELECT v.name, v.version, v.routes_json, v.updated_at, v.user_id FROM deployments d JOIN deployment_versions v ON v.name = d.name AND v.version = d.version {tail}");
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        return await ReadRowsAsync(command, ct);
    }

    private static async Task<IReadOnlyList<Deployment>> ReadRowsAsync(DbCommand command, CancellationToken ct)
    {
        var list = new List<Deployment>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new Deployment(reader.GetString(0), JsonSerializer.Deserialize<List<DeploymentRoute>>(reader.GetString(2), Json) ?? [],
                Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), reader.GetInt64(3), reader.GetString(4)));
        }
        return list;
    }
}
