using System.Data.Common;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;

namespace Kiln.Storage.Sql.Monitoring;

/// <summary>
/// Alert rules, windows and alerts on SQLite or PostgreSQL. A rule is stored as YAML, one row per version; a window's
/// verdict is keyed by (rule, deployment, window end), so a window evaluated again after a restart counts once; an alert's
/// state change and its webhook event are written in one transaction (the webhook outbox).
/// </summary>
public sealed class SqlAlertStore(SqlDialect dialect) : IAlertStore
{
    private const string AlertColumns = "id, rule, rule_version, deployment, severity, state, value, message, fired_at, resolved_at, acknowledged_at, acknowledged_by";

    /// <summary>Migration 13: alert rules, their windows, alerts.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE alert_rules (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            yaml TEXT NOT NULL,
            created_at {t.BigInt} NOT NULL,
            user_id TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            PRIMARY KEY (name, version));
        CREATE TABLE alert_windows (
            rule TEXT NOT NULL,
            deployment TEXT NOT NULL,
            window_end {t.BigInt} NOT NULL,
            breached INTEGER NOT NULL,
            value {t.Real},
            PRIMARY KEY (rule, deployment, window_end));
        CREATE TABLE alerts (
            id {t.IdentityPrimaryKey},
            rule TEXT NOT NULL,
            rule_version INTEGER NOT NULL,
            deployment TEXT NOT NULL,
            severity TEXT NOT NULL,
            state TEXT NOT NULL,
            value {t.Real} NOT NULL,
            message TEXT NOT NULL,
            fired_at {t.BigInt} NOT NULL,
            resolved_at {t.BigInt},
            acknowledged_at {t.BigInt},
            acknowledged_by TEXT);
        CREATE INDEX ix_alerts_rule ON alerts (rule, deployment, id);
        """;

    public Task<IReadOnlyList<AlertRuleVersion>> SaveRulesAsync(IReadOnlyList<(string Name, string Yaml)> rules, IReadOnlyList<string> deleted, string userId, long time,
        CancellationToken ct = default) =>
        dialect.WriteAsync<IReadOnlyList<AlertRuleVersion>>(async (connection, transaction) =>
        {
            var saved = new List<AlertRuleVersion>();
            foreach (var (name, yaml, delete) in rules.Select(r => (r.Name, r.Yaml, false)).Concat(deleted.Select(d => (d, "", true))))
            {
                var latest = await LatestRuleAsync(connection, transaction, name, ct);
                if (delete ? latest is null or { Deleted: true } : latest is { Deleted: false } && latest.Yaml == yaml)
                {
                    continue; // unchanged (or already gone): no new version
                }
                var version = new AlertRuleVersion(name, (latest?.Version ?? 0) + 1, yaml, time, userId, delete);
                await connection.ExecuteAsync(transaction, "INSERT INTO alert_rules (name, version, yaml, created_at, user_id, deleted) VALUES (@n, @v, @y, @t, @u, @d)", ct,
                    ("n", name), ("v", version.Version), ("y", yaml), ("t", time), ("u", userId), ("d", delete ? 1 : 0));
                saved.Add(version);
            }
            return saved;
        }, ct);

    private static async Task<AlertRuleVersion?> LatestRuleAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken ct)
    {
        await using var command = connection.Command(transaction, "SELECT name, version, yaml, created_at, user_id, deleted FROM alert_rules WHERE name = @n ORDER BY version DESC LIMIT 1");
        command.Add("n", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadRule(reader) : null;
    }

    public async Task<IReadOnlyList<AlertRuleVersion>> ListRulesAsync(CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, """
            SELECT r.name, r.version, r.yaml, r.created_at, r.user_id, r.deleted FROM alert_rules r
            WHERE r.version = (SELECT MAX(version) FROM alert_rules x WHERE x.name = r.name) AND r.deleted = 0 ORDER BY r.name
            """);
        return await ReadRulesAsync(command, ct);
    }

    public async Task<IReadOnlyList<AlertRuleVersion>> RuleHistoryAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT name, version, yaml, created_at, user_id, deleted FROM alert_rules WHERE name = @n ORDER BY version DESC");
        command.Add("n", name);
        return await ReadRulesAsync(command, ct);
    }

    private static async Task<IReadOnlyList<AlertRuleVersion>> ReadRulesAsync(DbCommand command, CancellationToken ct)
    {
        var rules = new List<AlertRuleVersion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rules.Add(ReadRule(reader));
        }
        return rules;
    }

    private static AlertRuleVersion ReadRule(DbDataReader r) =>
        new(r.GetString(0), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture), r.GetString(2), r.GetInt64(3), r.GetString(4), Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture) != 0);

    public Task<bool> RecordWindowAsync(string rule, string deployment, AlertWindow window, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(transaction, """
            INSERT INTO alert_windows (rule, deployment, window_end, breached, value) VALUES (@r, @d, @e, @b, @v)
            ON CONFLICT (rule, deployment, window_end) DO NOTHING
            """, ct, ("r", rule), ("d", deployment), ("e", window.WindowEnd), ("b", window.Breached ? 1 : 0), ("v", window.Value)) > 0, ct);

    public async Task<IReadOnlyList<AlertWindow>> RecentWindowsAsync(string rule, string deployment, int count, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null,
            "SELECT window_end, breached, value FROM alert_windows WHERE rule = @r AND deployment = @d ORDER BY window_end DESC LIMIT @n");
        command.Add("r", rule);
        command.Add("d", deployment);
        command.Add("n", count);
        var windows = new List<AlertWindow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            windows.Add(new AlertWindow(reader.GetInt64(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture) != 0, reader.IsDBNull(2) ? null : reader.GetDouble(2)));
        }
        return windows;
    }

    public async Task<Alert?> LatestAsync(string rule, string deployment, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"SELECT {AlertColumns} FROM alerts WHERE rule = @r AND deployment = @d ORDER BY id DESC LIMIT 1");
        command.Add("r", rule);
        command.Add("d", deployment);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadAlert(reader) : null;
    }

    public Task<Alert> FireAsync(Alert alert, string? eventName, string payload, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            var id = Convert.ToInt64(await connection.ScalarAsync(transaction, $"""
                INSERT INTO alerts (rule, rule_version, deployment, severity, state, value, message, fired_at)
                VALUES (@r, @v, @d, @s, @st, @val, @m, @t) RETURNING id
                """, ct, ("r", alert.Rule), ("v", alert.RuleVersion), ("d", alert.Deployment), ("s", alert.Severity), ("st", AlertStates.Firing),
                ("val", alert.Value), ("m", alert.Message), ("t", alert.FiredAt)), CultureInfo.InvariantCulture);
            if (eventName is not null)
            {
                await Webhooks.SqlWebhookStore.EnqueueAsync(connection, transaction, eventName, null,
                    payload.Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), alert.FiredAt, ct);
            }
            return alert with { Id = id, State = AlertStates.Firing };
        }, ct);

    public Task ResolveAsync(long id, long time, string? eventName, string payload, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            var changed = await connection.ExecuteAsync(transaction, "UPDATE alerts SET state = @s, resolved_at = @t WHERE id = @i AND state <> @s", ct,
                ("s", AlertStates.Resolved), ("t", time), ("i", id));
            if (changed == 0)
            {
                _ = await connection.ScalarAsync(transaction, "SELECT 1 FROM alerts WHERE id = @i", ct, ("i", id))
                    ?? throw KilnException.NotFound($"No alert with id {id}: list them with kiln monitor alerts.");
                return 0;
            }
            return eventName is null ? changed : await Webhooks.SqlWebhookStore.EnqueueAsync(connection, transaction, eventName, null, payload, time, ct);
        }, ct);

    public Task<Alert> AcknowledgeAsync(long id, string userId, long time, CancellationToken ct = default) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            await using (var command = connection.Command(transaction, $"SELECT {AlertColumns} FROM alerts WHERE id = @i"))
            {
                command.Add("i", id);
                await using var reader = await command.ExecuteReaderAsync(ct);
                var alert = await reader.ReadAsync(ct) ? ReadAlert(reader) : throw KilnException.NotFound($"No alert with id {id}: list them with kiln monitor alerts.");
                if (alert.State == AlertStates.Resolved)
                {
                    throw KilnException.Invalid($"Alert {id} is already resolved (at {DateTimeOffset.FromUnixTimeMilliseconds(alert.ResolvedAt ?? 0):u}): there is nothing to acknowledge.");
                }
            }
            await connection.ExecuteAsync(transaction, "UPDATE alerts SET state = @s, acknowledged_at = @t, acknowledged_by = @u WHERE id = @i", ct,
                ("s", AlertStates.Acknowledged), ("t", time), ("u", userId), ("i", id));
            await using var again = connection.Command(transaction, $"SELECT {AlertColumns} FROM alerts WHERE id = @i");
            again.Add("i", id);
            await using var read = await again.ExecuteReaderAsync(ct);
            await read.ReadAsync(ct);
            return ReadAlert(read);
        }, ct);

    public async Task<IReadOnlyList<Alert>> ListAsync(string? state, string? deployment, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        var where = new List<string>();
        if (state is not null)
        {
            where.Add("state = @s");
        }
        if (deployment is not null)
        {
            where.Add("deployment = @d");
        }
        await using var command = connection.Command(null,
            $"SELECT {AlertColumns} FROM alerts {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY id DESC LIMIT @n");
        if (state is not null)
        {
            command.Add("s", state);
        }
        if (deployment is not null)
        {
            command.Add("d", deployment);
        }
        command.Add("n", limit);
        var alerts = new List<Alert>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            alerts.Add(ReadAlert(reader));
        }
        return alerts;
    }

    private static Alert ReadAlert(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture), r.GetString(3),
        r.GetString(4), r.GetString(5), r.GetDouble(6), r.GetString(7), r.GetInt64(8), r.NullableInt64(9), r.NullableInt64(10), r.NullableString(11));
}
