using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Serving;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// The prediction log as a table (not Parquet segments): monitoring reads it by deployment and time window and joins
/// ground truth by request id, which a table indexes and updates in place. A batch is one transaction: on PostgreSQL one
/// statement over a JSON array per 5,000 rows (one round trip each), on SQLite one prepared statement bound to each row's
/// UTF-8 text where the serving writer encoded it (<see cref="SqliteAppend"/>).
/// </summary>
public sealed class SqlPredictionLog(SqlDialect dialect) : IPredictionLog
{
    private const string Columns = "request_id, deployment, route, model_name, model_version, at, latency_ms, inputs, outputs, shadow, label, inputs_id";

    /// <summary>The columns of labelled rows as realised performance reads them: the answer and the label, not the inputs.</summary>
    private const string LabelledColumns = "request_id, deployment, route, model_name, model_version, at, latency_ms, '' AS inputs, outputs, shadow, label, NULL AS inputs_id";

    /// <summary>The ids of input name lists already stored (a list is never changed or deleted once stored).</summary>
    private readonly ConcurrentDictionary<string, long> _inputIds = new(StringComparer.Ordinal);

    /// <summary>Stored input name lists by id, for reading rows back.</summary>
    private readonly ConcurrentDictionary<long, JsonEncodedText[]> _inputNames = new();

    /// <summary>Migration 11: the prediction log.</summary>
    internal static string Schema(SqlTypes t) => $"""
        CREATE TABLE prediction_log (
            request_id TEXT NOT NULL,
            route TEXT NOT NULL,
            deployment TEXT NOT NULL,
            model_name TEXT,
            model_version INTEGER,
            at {t.BigInt} NOT NULL,
            latency_ms {t.Real} NOT NULL,
            inputs TEXT NOT NULL,
            outputs TEXT NOT NULL,
            shadow INTEGER NOT NULL,
            label TEXT,
            label_at {t.BigInt},
            PRIMARY KEY (request_id, route));
        CREATE INDEX ix_prediction_log_time ON prediction_log (deployment, at);
        """;

    /// <summary>Migration 17: a served model's input names kept once (<c>prediction_inputs</c>), and rows whose inputs are
    /// a JSON array of values in that order (<c>inputs_id</c>; null: the inputs are a JSON object, as rows logged before).</summary>
    internal static string CompactInputs(SqlTypes t) => $"""
        CREATE TABLE prediction_inputs (
            id {t.IdentityPrimaryKey},
            names TEXT NOT NULL UNIQUE);
        ALTER TABLE prediction_log ADD COLUMN inputs_id INTEGER;
        """;

    public Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default) =>
        records.Count == 0 ? Task.CompletedTask
        : dialect.Name == "postgresql" ? InsertJsonAsync(records.Count, (start, count) => records.Skip(start).Take(count).Select(r => (r, (long?)null)), ct)
        : AppendAsync(PredictionRows.From(records), ct);

    public async Task AppendAsync(PredictionRows rows, CancellationToken ct = default)
    {
        if (rows.Count == 0)
        {
            return;
        }
        // the batch's input name lists, stored (or found) first, each in a small transaction of its own
        // (a request's rows share one source object, so only a change of source is looked up)
        var ids = new Dictionary<PredictionSource, long?>(ReferenceEqualityComparer.Instance);
        PredictionSource? previous = null;
        for (var i = 0; i < rows.Count; i++)
        {
            var source = rows[i].Source;
            if (!ReferenceEquals(source, previous) && !ids.ContainsKey(source))
            {
                ids[source] = source.InputNames is { } names ? await InputsIdAsync(names, ct) : null;
            }
            previous = source;
        }
        if (dialect.Name == "postgresql")
        {
            await InsertJsonAsync(rows.Count, (start, count) => Enumerable.Range(start, Math.Min(count, rows.Count - start)).Select(i =>
            {
                var r = rows.Record(i);
                return (r, ids[rows[i].Source]);
            }), ct);
            return;
        }
        await dialect.WriteAsync((connection, _) => Task.FromResult(SqliteAppend.Insert((SqliteConnection)connection, rows, source => ids[source])), ct);
    }

    /// <summary>The id of an input name list (a JSON array), stored when new. Two writers storing the same list at once
    /// both end with the one row the unique constraint lets in.</summary>
    private async Task<long> InputsIdAsync(string names, CancellationToken ct)
    {
        if (_inputIds.TryGetValue(names, out var known))
        {
            return known;
        }
        var id = await dialect.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "INSERT INTO prediction_inputs (names) VALUES (@n) ON CONFLICT (names) DO NOTHING", ct, ("n", names));
            return Convert.ToInt64(await connection.ScalarAsync(transaction, "SELECT id FROM prediction_inputs WHERE names = @n", ct, ("n", names)), CultureInfo.InvariantCulture);
        }, ct);
        _inputIds[names] = id;
        return id;
    }

    /// <summary>PostgreSQL: one transaction, one round trip per 5,000 rows, each chunk as one JSON array the server unpacks.</summary>
    private Task<int> InsertJsonAsync(int count, Func<int, int, IEnumerable<(PredictionRecord Row, long? InputsId)>> chunk, CancellationToken ct) =>
        dialect.WriteAsync(async (connection, transaction) =>
        {
            var written = 0;
            for (var start = 0; start < count; start += 5_000)
            {
                var json = JsonSerializer.Serialize(chunk(start, 5_000).Select(x => new object?[]
                {
                    x.Row.RequestId, x.Row.Deployment, x.Row.Route, x.Row.ModelName, x.Row.ModelVersion, x.Row.Time, x.Row.LatencyMs, x.Row.Inputs, x.Row.Outputs,
                    x.Row.Shadow ? 1 : 0, x.InputsId,
                }));
                written += await connection.ExecuteAsync(transaction,
                    "INSERT INTO prediction_log (request_id, deployment, route, model_name, model_version, at, latency_ms, inputs, outputs, shadow, inputs_id) " +
                    "SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::int, (r->>5)::bigint, (r->>6)::double precision, r->>7, r->>8, (r->>9)::int, (r->>10)::int " +
                    "FROM jsonb_array_elements(CAST(@rows AS jsonb)) r ON CONFLICT (request_id, route) DO NOTHING", ct, ("rows", json));
            }
            return written;
        }, ct);

    public Task<IReadOnlyList<string>> AddLabelsAsync(IReadOnlyList<(string RequestId, string Label)> labels, long time, CancellationToken ct = default) =>
        dialect.WriteAsync<IReadOnlyList<string>>(async (connection, transaction) =>
        {
            var missing = new List<string>();
            foreach (var (id, label) in labels)
            {
                if (await connection.ExecuteAsync(transaction, "UPDATE prediction_log SET label = @l, label_at = @t WHERE request_id = @id", ct, ("l", label), ("t", time), ("id", id)) == 0)
                {
                    missing.Add(id);
                }
            }
            return missing;
        }, ct);

    public async Task<IReadOnlyList<PredictionRecord>> ReadAsync(string deployment, long since, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"SELECT {Columns} FROM prediction_log WHERE deployment = @d AND at >= @s ORDER BY at, request_id LIMIT {Math.Clamp(limit, 1, 1_000_000)}");
        command.Add("d", deployment);
        command.Add("s", since);
        return await ReadRecordsAsync(command, ct);
    }

    public async Task<IReadOnlyList<PredictionRecord>> ReadLatestAsync(string deployment, string route, long since, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"""
            SELECT {Columns} FROM (
                SELECT {Columns} FROM prediction_log WHERE deployment = @d AND route = @r AND shadow = 0 AND at >= @s
                ORDER BY at DESC, request_id DESC LIMIT {Math.Clamp(limit, 1, 1_000_000)}) newest
            ORDER BY at, request_id
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("s", since);
        return await ReadRecordsAsync(command, ct);
    }

    public async Task<IReadOnlyList<PredictionRecord>> ReadRangeAsync(string deployment, string route, long from, long to, int limit, bool labelledOnly = false,
        CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"""
            SELECT {(labelledOnly ? LabelledColumns : Columns)} FROM prediction_log WHERE deployment = @d AND route = @r AND shadow = 0 AND at >= @f AND at < @t {(labelledOnly ? "AND label IS NOT NULL" : "")}
            ORDER BY at, request_id LIMIT {Math.Clamp(limit, 1, 1_000_000)}
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("f", from);
        command.Add("t", to);
        return await ReadRecordsAsync(command, ct);
    }

    private async Task<IReadOnlyList<PredictionRecord>> ReadRecordsAsync(System.Data.Common.DbCommand command, CancellationToken ct)
    {
        var list = new List<PredictionRecord>();
        var compact = new List<(int Index, long InputsId)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (!reader.IsDBNull(11))
                {
                    compact.Add((list.Count, Convert.ToInt64(reader.GetValue(11), CultureInfo.InvariantCulture)));
                }
                list.Add(new PredictionRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.NullableString(3),
                    reader.IsDBNull(4) ? null : Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), reader.GetInt64(5), reader.GetDouble(6),
                    reader.GetString(7), reader.GetString(8), Convert.ToInt32(reader.GetValue(9), CultureInfo.InvariantCulture) == 1, reader.NullableString(10)));
            }
        }
        // rows kept as arrays get their names back: every reader sees each row's inputs as a JSON object
        foreach (var (index, id) in compact)
        {
            var names = await InputNamesAsync(command.Connection!, id, ct);
            list[index] = list[index] with { Inputs = LoggedInputs.Expand(list[index].Inputs, names) };
        }
        return list;
    }

    /// <summary>The names stored as input list <paramref name="id"/>.</summary>
    private async Task<JsonEncodedText[]> InputNamesAsync(System.Data.Common.DbConnection connection, long id, CancellationToken ct)
    {
        if (_inputNames.TryGetValue(id, out var known))
        {
            return known;
        }
        var json = await connection.ScalarAsync(null, "SELECT names FROM prediction_inputs WHERE id = @id", ct, ("id", id)) as string
            ?? throw new InvalidOperationException($"The prediction log refers to input names {id}, which the store does not have.");
        var names = JsonSerializer.Deserialize<string[]>(json)!.Select(n => JsonEncodedText.Encode(n)).ToArray();
        _inputNames[id] = names;
        return names;
    }
}
