using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

public sealed partial class SqlTrackingStore
{
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            await RunStageAsync(connection, transaction, runId, requireActive: true, ct);
            if (parameters.Count > 0)
            {
                await InsertParamsAsync(connection, transaction, runId, parameters, ct);
            }
            foreach (var tag in tags)
            {
                await UpsertRunTagAsync(connection, transaction, runId, tag, ct);
            }
            if (metrics.Count > 0)
            {
                await InsertMetricPointsAsync(connection, transaction, runId, metrics, ct);
                await UpdateLatestMetricsAsync(connection, transaction, runId, metrics, ct);
            }
            return 0;
        }, ct);

    private static async Task InsertParamsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Param> parameters, CancellationToken ct)
    {
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var select = connection.Command(transaction, "SELECT key, value FROM params WHERE run_uuid = @id"))
        {
            select.Add("id", runId);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                existing[reader.GetString(0)] = reader.GetString(1);
            }
        }
        await using var insert = connection.Command(transaction, "INSERT INTO params (run_uuid, key, value) VALUES (@id, @k, @v)");
        insert.Add("id", runId);
        var key = insert.Add("k", "");
        var value = insert.Add("v", "");
        foreach (var param in parameters)
        {
            if (existing.TryGetValue(param.Key, out var old))
            {
                if (old != param.Value)
                {
                    throw KilnException.Invalid(
                        $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{old}' for run ID='{runId}'. " +
                        $"Attempted logging new value '{param.Value}'.");
                }
                continue;
            }
            key.Value = param.Key;
            value.Value = param.Value;
            await insert.ExecuteNonQueryAsync(ct);
            existing[param.Key] = param.Value;
        }
    }

    private static async Task InsertMetricPointsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken ct)
    {
        var byKey = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!byKey.TryGetValue(metric.Key, out var list))
            {
                byKey[metric.Key] = list = [];
            }
            list.Add(metric);
        }
        // One multi-row statement per batch: per-statement overhead, not rows, dominates SQLite's cost here.
        var sql = new System.Text.StringBuilder("INSERT INTO metric_points (run_uuid, key, point_count, points, min_step, max_step) VALUES ");
        await using var insert = connection.Command(transaction, "");
        insert.Add("id", runId);
        var i = 0;
        foreach (var (metricKey, list) in byKey)
        {
            sql.Append(i == 0 ? "" : ", ").Append($"(@id, @k{i}, @n{i}, @p{i}, @lo{i}, @hi{i})");
            insert.Add("k" + i, metricKey);
            insert.Add("n" + i, list.Count);
            insert.Add("p" + i, MetricPoints.Encode(list));
            var (low, high) = (long.MaxValue, long.MinValue);
            foreach (var point in list)
            {
                (low, high) = (Math.Min(low, point.Step), Math.Max(high, point.Step));
            }
            insert.Add("lo" + i, low);
            insert.Add("hi" + i, high);
            i++;
        }
        insert.CommandText = sql.ToString();
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Keeps <c>latest_metrics</c> at the point with the greatest (step, timestamp, value) per key, as MLflow does.</summary>
    private static async Task UpdateLatestMetricsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken ct)
    {
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!latest.TryGetValue(metric.Key, out var current) || IsLater(metric, current))
            {
                latest[metric.Key] = metric;
            }
        }
        var sql = new System.Text.StringBuilder("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES ");
        await using var upsert = connection.Command(transaction, "");
        upsert.Add("id", runId);
        var i = 0;
        foreach (var metric in latest.Values)
        {
            sql.Append(i == 0 ? "" : ", ").Append($"(@id, @k{i}, @v{i}, @t{i}, @s{i}, @nan{i})");
            upsert.Add("k" + i, metric.Key);
            upsert.Add("v" + i, StoredValue(metric.Value));
            upsert.Add("t" + i, metric.Timestamp);
            upsert.Add("s" + i, metric.Step);
            upsert.Add("nan" + i, double.IsNaN(metric.Value) ? 1 : 0);
            i++;
        }
        upsert.CommandText = sql.Append(
            " ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan " +
            "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND (excluded.timestamp > latest_metrics.timestamp " +
            "OR (excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)))").ToString();
        await upsert.ExecuteNonQueryAsync(ct);
    }

    private static bool IsLater(Metric candidate, Metric current) =>
        candidate.Step != current.Step ? candidate.Step > current.Step
        : candidate.Timestamp != current.Timestamp ? candidate.Timestamp > current.Timestamp
        : StoredValue(candidate.Value) > StoredValue(current.Value);

    /// <summary>NaN is stored as 0 with <c>is_nan = 1</c>: SQLite cannot store NaN, and comparisons should skip it.</summary>
    internal static double StoredValue(double value) => double.IsNaN(value) ? 0 : value;

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default) =>
        _dialect.WriteAsync(async (connection, transaction) =>
        {
            await RunStageAsync(connection, transaction, runId, requireActive: true, ct);
            var experimentId = Convert.ToInt64(await connection.ScalarAsync(transaction, "SELECT experiment_id FROM runs WHERE run_uuid = @id", ct, ("id", runId)));
            foreach (var input in inputs)
            {
                var d = input.Dataset;
                var datasetId = await connection.ScalarAsync(transaction,
                    "SELECT dataset_uuid FROM datasets WHERE experiment_id = @e AND name = @n AND digest = @d", ct, ("e", experimentId), ("n", d.Name), ("d", d.Digest)) as string;
                if (datasetId is null)
                {
                    datasetId = _context.Ids.NewId();
                    await connection.ExecuteAsync(transaction,
                        "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile) VALUES (@id, @e, @n, @d, @st, @s, @sc, @p)",
                        ct, ("id", datasetId), ("e", experimentId), ("n", d.Name), ("d", d.Digest), ("st", d.SourceType), ("s", d.Source), ("sc", d.Schema), ("p", d.Profile));
                }
                await connection.ExecuteAsync(transaction,
                    "INSERT INTO run_inputs (run_uuid, dataset_uuid) VALUES (@r, @d) ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING", ct, ("r", runId), ("d", datasetId));
                foreach (var tag in input.Tags)
                {
                    await connection.ExecuteAsync(transaction,
                        "INSERT INTO run_input_tags (run_uuid, dataset_uuid, key, value) VALUES (@r, @d, @k, @v) ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value",
                        ct, ("r", runId), ("d", datasetId), ("k", tag.Key), ("v", tag.Value));
                }
            }
            return 0;
        }, ct);

    private async Task LoadInputsAsync(DbConnection connection, object runIds, Dictionary<string, List<DatasetInput>> inputs, CancellationToken ct)
    {
        var tags = new Dictionary<(string, string), List<Tag>>();
        await ReadEachAsync(connection, $"SELECT run_uuid, dataset_uuid, key, value FROM run_input_tags WHERE {_dialect.InStringSet("run_uuid", "@ids")} ORDER BY key", runIds, reader =>
        {
            var id = (reader.GetString(0), reader.GetString(1));
            if (!tags.TryGetValue(id, out var list))
            {
                tags[id] = list = [];
            }
            list.Add(new Tag(reader.GetString(2), reader.GetString(3)));
        }, ct);
        await ReadEachAsync(connection,
            "SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile FROM run_inputs i " +
            $"JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE {_dialect.InStringSet("i.run_uuid", "@ids")} ORDER BY d.name, d.digest", runIds, reader =>
            {
                var dataset = new Dataset(reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.NullableString(6), reader.NullableString(7));
                Bucket(inputs, reader.GetString(0)).Add(new DatasetInput(dataset,
                    tags.TryGetValue((reader.GetString(0), reader.GetString(1)), out var t) ? t : []));
            }, ct);
    }
}
