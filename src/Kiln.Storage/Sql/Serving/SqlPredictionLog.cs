using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core.Serving;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// The prediction log in the metadata store, as segments (<see cref="PredictionSegments"/>): each batch the serving writer
/// hands over becomes one row per source holding its rows' JSON, plus one key per row (<c>prediction_keys</c>: request id
/// and route to segment and position) by which ground truth finds its prediction. Labelled rows are copied, without their
/// inputs, to <c>prediction_labels</c>, which realised performance reads by deployment, route and time. A table row per
/// prediction with two indexes cost the writer about half as much again (its share of the one-row benchmark's profile fell
/// from 12 % to 8 %), and on a busy server the writer shares the cores that answer requests. Parquet segments in the artifact store were the other choice; segments in the store
/// keep a batch, its keys and its labels in one transaction, on SQLite and PostgreSQL alike.
/// </summary>
public sealed class SqlPredictionLog(SqlDialect dialect) : IPredictionLog
{
    private const string SegmentColumns = "id, deployment, route, model_name, model_version, shadow, inputs_id, first_at, last_at, rows";

    /// <summary>The ids of input name lists already stored (a list is never changed or deleted once stored).</summary>
    private readonly ConcurrentDictionary<string, long> _inputIds = new(StringComparer.Ordinal);

    /// <summary>Stored input name lists by id, for reading rows back.</summary>
    private readonly ConcurrentDictionary<long, JsonEncodedText[]> _inputNames = new();

    public Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        var rows = PredictionRows.From(records);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!PredictionSegments.IsJson(rows.Text(row.Inputs)) || !PredictionSegments.IsJson(rows.Text(row.Outputs)) || !double.IsFinite(row.LatencyMs))
            {
                throw new ArgumentException($"Prediction {records[i].RequestId} of deployment '{records[i].Deployment}' cannot be logged: its inputs and outputs must each " +
                    "be one JSON value and its latency a finite number.", nameof(records));
            }
        }
        return AppendAsync(rows, ct);
    }

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
        await dialect.WriteAsync((connection, transaction) => dialect.Name == "postgresql"
            ? PostgresAppend.InsertAsync(connection, transaction, rows, source => ids[source], ct)
            : Task.FromResult(SqliteAppend.Insert((SqliteConnection)connection, (SqliteTransaction)transaction, rows, source => ids[source])), ct);
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

    /// <summary>Each label joins every row logged under its request id (the answering route's and the shadows'): the row is
    /// found by its key, read from its segment, and copied with the label to <c>prediction_labels</c> (a later label for
    /// the same row replaces the earlier).</summary>
    public Task<IReadOnlyList<string>> AddLabelsAsync(IReadOnlyList<(string RequestId, string Label)> labels, long time, CancellationToken ct = default) =>
        dialect.WriteAsync<IReadOnlyList<string>>(async (connection, transaction) =>
        {
            var missing = new List<string>();
            var segments = new Dictionary<long, (SegmentInfo Info, List<SegmentRow> Rows)>();
            foreach (var (id, label) in labels)
            {
                var keys = new List<(long Segment, int Position)>();
                await using (var command = connection.Command(transaction, "SELECT segment, position FROM prediction_keys WHERE request_id = @id"))
                {
                    command.Add("id", id);
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        keys.Add((reader.GetInt64(0), reader.GetInt32(1)));
                    }
                }
                if (keys.Count == 0)
                {
                    missing.Add(id);
                    continue;
                }
                foreach (var (segmentId, position) in keys)
                {
                    if (!segments.TryGetValue(segmentId, out var segment))
                    {
                        var info = await ReadSegmentAsync(connection, transaction, segmentId, ct);
                        segments[segmentId] = segment = (info, PredictionSegments.Decode(segmentId, info.Data));
                    }
                    var row = segment.Rows[position];
                    await connection.ExecuteAsync(transaction, """
                        INSERT INTO prediction_labels (request_id, route, deployment, model_name, model_version, at, latency_ms, outputs, shadow, label, label_at)
                        VALUES (@id, @r, @d, @m, @v, @at, @lat, @o, @sh, @l, @t)
                        ON CONFLICT (request_id, route) DO UPDATE SET label = excluded.label, label_at = excluded.label_at
                        """, ct, ("id", row.RequestId), ("r", segment.Info.Route), ("d", segment.Info.Deployment), ("m", segment.Info.ModelName),
                        ("v", segment.Info.ModelVersion), ("at", row.Time), ("lat", row.LatencyMs), ("o", Text(segment.Info.Data, row.Outputs)),
                        ("sh", segment.Info.Shadow ? 1 : 0), ("l", label), ("t", time));
                }
            }
            return missing;
        }, ct);

    public async Task<IReadOnlyList<PredictionRecord>> ReadAsync(string deployment, long since, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"""
            SELECT {SegmentColumns} FROM prediction_segments
            WHERE deployment = @d AND first_at >= @from AND last_at >= @s ORDER BY first_at, id
            """);
        command.Add("d", deployment);
        command.Add("from", since - PredictionSegments.MaxSpanMs);
        command.Add("s", since);
        return await ReadWindowAsync(connection, command, limit, newest: false, at => at >= since, ct);
    }

    public async Task<IReadOnlyList<PredictionRecord>> ReadLatestAsync(string deployment, string route, long since, int limit, CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        await using var command = connection.Command(null, $"""
            SELECT {SegmentColumns} FROM prediction_segments
            WHERE deployment = @d AND last_at >= @s AND route = @r AND shadow = 0 ORDER BY last_at DESC, id DESC
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("s", since);
        return await ReadWindowAsync(connection, command, limit, newest: true, at => at >= since, ct);
    }

    public async Task<IReadOnlyList<PredictionRecord>> ReadRangeAsync(string deployment, string route, long from, long to, int limit, bool labelledOnly = false,
        CancellationToken ct = default)
    {
        await using var connection = await dialect.OpenAsync(ct);
        if (labelledOnly)
        {
            return await ReadLabelledAsync(connection, deployment, route, from, to, limit, ct);
        }
        await using var command = connection.Command(null, $"""
            SELECT {SegmentColumns} FROM prediction_segments
            WHERE deployment = @d AND first_at >= @before AND first_at < @t AND last_at >= @f AND route = @r AND shadow = 0 ORDER BY first_at, id
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("before", from - PredictionSegments.MaxSpanMs);
        command.Add("f", from);
        command.Add("t", to);
        return await ReadWindowAsync(connection, command, limit, newest: false, at => at >= from && at < to, ct);
    }

    /// <summary>The labelled rows of a route in [from, to), from the labels' own table (no segment is read).</summary>
    private static async Task<IReadOnlyList<PredictionRecord>> ReadLabelledAsync(System.Data.Common.DbConnection connection, string deployment, string route, long from, long to,
        int limit, CancellationToken ct)
    {
        await using var command = connection.Command(null, $"""
            SELECT request_id, deployment, route, model_name, model_version, at, latency_ms, outputs, shadow, label FROM prediction_labels
            WHERE deployment = @d AND route = @r AND at >= @f AND at < @t AND shadow = 0 ORDER BY at, request_id LIMIT {Math.Clamp(limit, 1, 1_000_000)}
            """);
        command.Add("d", deployment);
        command.Add("r", route);
        command.Add("f", from);
        command.Add("t", to);
        var list = new List<PredictionRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new PredictionRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.NullableString(3),
                reader.IsDBNull(4) ? null : Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), reader.GetInt64(5), reader.GetDouble(6),
                "", reader.GetString(7), Convert.ToInt32(reader.GetValue(8), CultureInfo.InvariantCulture) == 1, reader.GetString(9)));
        }
        return list;
    }

    /// <summary>Offers the rows of the segments <paramref name="command"/> finds, in its order, to a window of the
    /// <paramref name="limit"/> oldest (or newest) rows until no later segment can add one; then the kept rows as records
    /// with their labels.</summary>
    private async Task<IReadOnlyList<PredictionRecord>> ReadWindowAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbCommand command,
        int limit, bool newest, Func<long, bool> keep, CancellationToken ct)
    {
        var window = new PredictionWindow(Math.Clamp(limit, 1, 1_000_000), newest);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (window.Done(reader.GetInt64(7), reader.GetInt64(8)))
                {
                    break; // decided by the segment's times, before its rows' bytes are read
                }
                var info = Segment(reader);
                foreach (var row in PredictionSegments.Decode(info.Id, info.Data))
                {
                    if (keep(row.Time))
                    {
                        window.Offer(new WindowRow(info, row));
                    }
                }
            }
        }
        var rows = window.Sorted();
        var labels = await LabelsAsync(connection, rows, ct);
        var list = new List<PredictionRecord>(rows.Count);
        foreach (var (info, row) in rows)
        {
            var inputs = Text(info.Data, row.Inputs);
            if (info.InputsId is { } id)
            {
                inputs = LoggedInputs.Expand(inputs, await InputNamesAsync(connection, id, ct)); // every reader sees inputs as a JSON object
            }
            list.Add(new PredictionRecord(row.RequestId, info.Deployment, info.Route, info.ModelName, info.ModelVersion, row.Time, row.LatencyMs, inputs,
                Text(info.Data, row.Outputs), info.Shadow, labels.GetValueOrDefault((row.RequestId, info.Route))));
        }
        return list;
    }

    /// <summary>The labels of <paramref name="rows"/>, by request id and route: per route, the labels in the rows' time span.</summary>
    private static async Task<Dictionary<(string, string), string>> LabelsAsync(System.Data.Common.DbConnection connection, List<WindowRow> rows, CancellationToken ct)
    {
        var labels = new Dictionary<(string, string), string>();
        foreach (var group in rows.GroupBy(r => (r.Segment.Deployment, r.Segment.Route)))
        {
            await using var command = connection.Command(null,
                "SELECT request_id, label FROM prediction_labels WHERE deployment = @d AND route = @r AND at >= @f AND at <= @t");
            command.Add("d", group.Key.Deployment);
            command.Add("r", group.Key.Route);
            command.Add("f", group.Min(r => r.Row.Time));
            command.Add("t", group.Max(r => r.Row.Time));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                labels[(reader.GetString(0), group.Key.Route)] = reader.GetString(1);
            }
        }
        return labels;
    }

    private static async Task<SegmentInfo> ReadSegmentAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, long id, CancellationToken ct)
    {
        await using var command = connection.Command(transaction, $"SELECT {SegmentColumns} FROM prediction_segments WHERE id = @id");
        command.Add("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Segment(reader)
            : throw new InvalidOperationException($"The prediction log's key refers to segment {id}, which the store does not have.");
    }

    private static SegmentInfo Segment(System.Data.Common.DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.NullableString(3),
            reader.IsDBNull(4) ? null : Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture) == 1,
            reader.IsDBNull(6) ? null : Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture), reader.GetInt64(7), reader.GetInt64(8), (byte[])reader.GetValue(9));

    private static string Text(byte[] data, (int Start, int Length) range) => Encoding.UTF8.GetString(data, range.Start, range.Length);

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
