using System.Data.Common;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Storage.Sql.Registry;

public sealed partial class SqlRegistryStore
{
    private const string PromotionColumns = "id, name, version, alias, status, expected_holder, requested_by, requested_at, reason, decided_by, decided_at, forced";
    private const string VerdictColumns = "id, name, version, alias, gate_id, passed, holder_version, result_json, created_at, user_id";

    public async Task<GateSpecVersion> SaveGateAsync(GateSpecVersion gate, CancellationToken ct = default)
    {
        await dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, gate.Name, ct);
            var inserted = await connection.ExecuteAsync(transaction, """
                INSERT INTO model_gates (name, gate_id, alias, yaml, created_at, user_id) VALUES (@n, @g, @a, @y, @t, @u)
                ON CONFLICT (name, gate_id) DO NOTHING
                """, ct, ("n", gate.Name), ("g", gate.GateId), ("a", gate.Alias), ("y", gate.Yaml), ("t", gate.CreatedAt), ("u", gate.UserId));
            if (inserted == 1)
            {
                await AuditAsync(connection, transaction, "model.gate.save", Resource(gate.Name), null, new { gate_id = gate.GateId, alias = gate.Alias, yaml = gate.Yaml }, ct, gate.UserId);
            }
            return inserted;
        }, ct);
        return (await ListGatesAsync(gate.Name, ct)).First(g => g.GateId == gate.GateId);
    }

    public async Task<IReadOnlyList<GateSpecVersion>> ListGatesAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await RequireModelAsync(connection, null, name, ct);
        var gates = new List<GateSpecVersion>();
        await using var command = Command(connection, "SELECT name, gate_id, alias, yaml, created_at, user_id FROM model_gates WHERE name = @n ORDER BY created_at DESC, gate_id", [("n", name)]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            gates.Add(new GateSpecVersion(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5)));
        }
        return gates;
    }

    public Task AddVerdictAsync(GateVerdict verdict, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, verdict.Name, verdict.Version, ct);
            await AuditAsync(connection, transaction, "model.gate.verdict", VersionResource(verdict.Name, verdict.Version), null,
                new { verdict = verdict.Id, alias = verdict.Alias, passed = verdict.Passed, against = verdict.HolderVersion, gate_id = verdict.GateId }, ct, verdict.UserId);
            await NotifyAsync(connection, transaction, Kiln.Core.Webhooks.WebhookEvents.GateVerdict, verdict.Name, new
            {
                version = verdict.Version, alias = verdict.Alias, passed = verdict.Passed, against = verdict.HolderVersion, verdict = verdict.Id,
                result = System.Text.Json.JsonDocument.Parse(verdict.ResultJson).RootElement,
            }, ct);
            return await connection.ExecuteAsync(transaction, $"INSERT INTO model_gate_verdicts ({VerdictColumns}) VALUES (@id, @n, @v, @a, @g, @p, @h, @r, @t, @u)", ct,
                ("id", verdict.Id), ("n", verdict.Name), ("v", verdict.Version), ("a", verdict.Alias), ("g", verdict.GateId), ("p", verdict.Passed ? 1 : 0),
                ("h", verdict.HolderVersion), ("r", verdict.ResultJson), ("t", verdict.CreatedAt), ("u", verdict.UserId));
        }, ct);

    public async Task<IReadOnlyList<GateVerdict>> ListVerdictsAsync(string name, int? version, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await RequireModelAsync(connection, null, name, ct);
        var verdicts = new List<GateVerdict>();
        await using var command = version is null
            ? Command(connection, $"SELECT {VerdictColumns} FROM model_gate_verdicts WHERE name = @n ORDER BY created_at DESC, id", [("n", name)])
            : Command(connection, $"SELECT {VerdictColumns} FROM model_gate_verdicts WHERE name = @n AND version = @v ORDER BY created_at DESC, id", [("n", name), ("v", version)]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            verdicts.Add(new GateVerdict(reader.GetString(0), reader.GetString(1), Int(reader, 2)!.Value, reader.GetString(3), reader.GetString(4), Int(reader, 5) == 1,
                Int(reader, 6), reader.GetString(7), reader.GetInt64(8), reader.GetString(9)));
        }
        return verdicts;
    }

    public async Task AddPromotionAsync(Promotion promotion, CancellationToken ct = default)
    {
        try
        {
            await dialect.WriteAsync(async (connection, transaction) =>
            {
                await RequireVersionAsync(connection, transaction, promotion.Name, promotion.Version, ct);
                await AuditAsync(connection, transaction, "model.promotion.request", VersionResource(promotion.Name, promotion.Version), null,
                    new { promotion = promotion.Id, alias = promotion.Alias, forced = promotion.Forced, reason = promotion.Reason }, ct, promotion.RequestedBy);
                await NotifyAsync(connection, transaction, Kiln.Core.Webhooks.WebhookEvents.PromotionPending, promotion.Name, new
                {
                    promotion = promotion.Id, version = promotion.Version, alias = promotion.Alias, requested_by = promotion.RequestedBy, forced = promotion.Forced, reason = promotion.Reason,
                }, ct);
                return await connection.ExecuteAsync(transaction, $"INSERT INTO model_promotions ({PromotionColumns}) VALUES (@id, @n, @v, @a, @s, @e, @rb, @ra, @r, NULL, NULL, @f)", ct,
                    ("id", promotion.Id), ("n", promotion.Name), ("v", promotion.Version), ("a", promotion.Alias), ("s", promotion.Status), ("e", promotion.ExpectedHolder),
                    ("rb", promotion.RequestedBy), ("ra", promotion.RequestedAt), ("r", promotion.Reason), ("f", promotion.Forced ? 1 : 0));
            }, ct);
        }
        catch (Exception e) when (dialect.IsUniqueViolation(e))
        {
            throw KilnException.Conflict($"A promotion to '{promotion.Alias}' of model '{promotion.Name}' is already waiting for approval: approve or reject it first (kiln models promotions {promotion.Name}).");
        }
    }

    public async Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await RequireModelAsync(connection, null, name, ct);
        return await ReadPromotionsAsync(connection, null, "WHERE name = @n ORDER BY requested_at DESC, id", [("n", name)], ct);
    }

    public Task<Promotion> DecidePromotionAsync(string id, bool approve, string userId, long time, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            var found = (await ReadPromotionsAsync(connection, transaction, "WHERE id = @id", [("id", id)], ct)).SingleOrDefault()
                ?? throw KilnException.NotFound($"No promotion with id {id}: list them with kiln models promotions NAME.");
            if (found.Status != "PENDING")
            {
                throw KilnException.InvalidState($"Promotion {id} is already {found.Status.ToLowerInvariant()} (by {found.DecidedBy}).");
            }
            var status = approve ? "APPROVED" : "REJECTED";
            if (approve)
            {
                await RequireVersionAsync(connection, transaction, found.Name, found.Version, ct);
                await LockModelAsync(connection, transaction, found.Name, ct);
                var previous = await CurrentAsync(connection, transaction, found.Name, found.Alias, ct);
                var change = new AliasChange(userId, found.Forced ? "force-promote" : "promote",
                    $"approved promotion {id} requested by {found.RequestedBy}{(found.Reason is null ? "" : ": " + found.Reason)}", found.ExpectedHolder);
                Expect(found.Name, found.Alias, previous, change);
                await connection.ExecuteAsync(transaction, """
                    INSERT INTO registered_model_aliases (name, alias, version) VALUES (@n, @a, @v)
                    ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
                    """, ct, ("n", found.Name), ("a", found.Alias), ("v", found.Version));
                await RecordAsync(connection, transaction, found.Name, found.Alias, found.Version, previous, change, time, ct);
            }
            await connection.ExecuteAsync(transaction, "UPDATE model_promotions SET status = @s, decided_by = @u, decided_at = @t WHERE id = @id", ct,
                ("s", status), ("u", userId), ("t", time), ("id", id));
            await AuditAsync(connection, transaction, approve ? "model.promotion.approve" : "model.promotion.reject", VersionResource(found.Name, found.Version),
                new { status = "PENDING" }, new { status, promotion = id }, ct, userId);
            return found with { Status = status, DecidedBy = userId, DecidedAt = time };
        }, ct);

    private static async Task<List<Promotion>> ReadPromotionsAsync(DbConnection connection, DbTransaction? transaction, string tail,
        IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        var promotions = new List<Promotion>();
        await using var command = connection.Command(transaction, $"SELECT {PromotionColumns} FROM model_promotions {tail}");
        foreach (var (name, value) in args)
        {
            command.Add(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            promotions.Add(new Promotion(reader.GetString(0), reader.GetString(1), Int(reader, 2)!.Value, reader.GetString(3), reader.GetString(4), Int(reader, 5)!.Value,
                reader.GetString(6), reader.GetInt64(7), reader.NullableString(8), reader.NullableString(9), reader.NullableInt64(10), Int(reader, 11) == 1));
        }
        return promotions;
    }

    private static int? Int(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
