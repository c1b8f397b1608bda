using System.Data.Common;
using Kiln.Core.Serving;
using Kiln.Storage.Sql;
using Kiln.Storage.Sql.Serving;

namespace Kiln.Storage.Tests.Sql;

// The prediction log's segments, on every SQL store (SQLite and PostgreSQL run the same contract).
public abstract partial class SqlMetadataStoreContract
{
    [Fact]
    public async Task Windows_read_across_many_segments_equal_the_rows_sorted_and_cut()
    {
        var t = Now();
        var random = new Random(7);
        var main = new PredictionSource("loan", "main", "loan", 1, false);
        var canary = new PredictionSource("loan", "canary", "loan", 2, false);
        var shadow = new PredictionSource("loan", "next", "loan", 3, true);
        var logged = new List<PredictionRecord>();
        // five batches of 2,500 rows over 40 s, times out of order within a batch: segments cut by source, row count and span
        for (var batch = 0; batch < 5; batch++)
        {
            var rows = new PredictionRows();
            for (var i = 0; i < 2_500; i++)
            {
                var source = (i % 5) switch { 0 => canary, 1 => shadow, _ => main };
                var at = t + (batch * 8_000) + random.Next(0, 9_000);
                var id = $"r{batch}-{i:D4}";
                var inputs = $"{{\"x\":{random.Next(100)}}}";
                rows.Add(new PredictionRow(source, at, 0.25, rows.Write(id), rows.Write(inputs), rows.Write("0.5")));
                logged.Add(new PredictionRecord(id, "loan", source.Route, "loan", source.ModelVersion, at, 0.25, inputs, "0.5", source.Shadow));
            }
            await Metadata.Predictions.AppendAsync(rows);
        }
        static string Key(PredictionRecord r) => $"{r.Time}/{r.RequestId}/{r.Route}/{r.Inputs}";
        var sorted = logged.OrderBy(r => r.Time).ThenBy(r => r.RequestId, StringComparer.Ordinal).ThenBy(r => r.Route, StringComparer.Ordinal).ToList();
        foreach (var (since, limit) in new[] { (0L, 100_000), (t + 10_000, 50), (t + 20_003, 3_000), (t + 39_000, 10) })
        {
            Assert.Equal(sorted.Where(r => r.Time >= since).Take(limit).Select(Key), (await Metadata.Predictions.ReadAsync("loan", since, limit)).Select(Key));
        }
        var answered = sorted.Where(r => r.Route == "main").ToList();
        Assert.Equal(answered.Where(r => r.Time >= t + 5_000).TakeLast(700).Select(Key), (await Metadata.Predictions.ReadLatestAsync("loan", "main", t + 5_000, 700)).Select(Key));
        Assert.Equal(answered.Where(r => r.Time >= t + 12_000 && r.Time < t + 19_000).Take(400).Select(Key),
            (await Metadata.Predictions.ReadRangeAsync("loan", "main", t + 12_000, t + 19_000, 400)).Select(Key));
        Assert.Empty(await Metadata.Predictions.ReadLatestAsync("loan", "next", t, 10)); // a shadow's copies are not a route's answers
    }

    [Fact]
    public async Task A_row_already_logged_under_its_request_id_and_route_is_kept_once()
    {
        var t = Now();
        var main = new PredictionSource("dup", "main", null, null, false);
        var rows = new PredictionRows();
        void Add(string id, long at, string outputs) => rows.Add(new PredictionRow(main, at, 1, rows.Write(id), rows.Write("{}"), rows.Write(outputs)));
        Add("a", t, "1");
        Add("b", t + 1, "2");
        Add("a", t + 2, "3"); // the same request id twice in a batch: the first is kept
        await Metadata.Predictions.AppendAsync(rows);
        rows.Clear();
        Add("b", t + 3, "4"); // already logged by the batch before
        Add("c", t + 4, "5");
        await Metadata.Predictions.AppendAsync(rows);
        rows.Clear();
        Add("c", t + 5, "6"); // a batch of nothing new
        await Metadata.Predictions.AppendAsync(rows);

        Assert.Equal(["a=1", "b=2", "c=5"], (await Metadata.Predictions.ReadAsync("dup", t, 10)).Select(r => $"{r.RequestId}={r.Outputs}"));
        Assert.Empty(await Metadata.Predictions.AddLabelsAsync([("b", "yes"), ("c", "no")], t + 10));
        Assert.Equal(["b=2:yes", "c=5:no"], (await Metadata.Predictions.ReadRangeAsync("dup", "main", t, t + 10, 10, labelledOnly: true)).Select(r => $"{r.RequestId}={r.Outputs}:{r.Label}"));
    }

    [Fact]
    public async Task Labels_join_rows_in_any_segment_replace_earlier_labels_and_are_read_without_inputs()
    {
        var t = Now();
        var main = new PredictionSource("lab", "main", "lab", 1, false);
        var shadow = new PredictionSource("lab", "next", "lab", 2, true);
        for (var batch = 0; batch < 3; batch++)
        {
            var rows = new PredictionRows();
            for (var i = 0; i < 10; i++)
            {
                var id = $"q{batch}{i}";
                rows.Add(new PredictionRow(main, t + (batch * 100) + i, 2, rows.Write(id), rows.Write("{\"x\":1}"), rows.Write($"{{\"p\":0.{i}}}")));
                rows.Add(new PredictionRow(shadow, t + (batch * 100) + i, 3, rows.Write(id), rows.Write("{\"x\":1}"), rows.Write("{\"p\":0.99}")));
            }
            await Metadata.Predictions.AppendAsync(rows);
        }
        Assert.Equal(["nope"], await Metadata.Predictions.AddLabelsAsync([("q05", "0"), ("q27", "1"), ("nope", "1")], t + 500));
        Assert.Empty(await Metadata.Predictions.AddLabelsAsync([("q05", "1")], t + 600)); // a correction replaces the label

        var labelled = await Metadata.Predictions.ReadRangeAsync("lab", "main", t, t + 1_000, 10, labelledOnly: true);
        Assert.Equal(["q05 {\"p\":0.5} 1", "q27 {\"p\":0.7} 1"], labelled.Select(r => $"{r.RequestId} {r.Outputs} {r.Label}"));
        Assert.All(labelled, r => Assert.Equal("", r.Inputs));
        var all = await Metadata.Predictions.ReadAsync("lab", t, 100);
        Assert.Equal(["q05/main/1", "q05/next/1", "q27/main/1", "q27/next/1"],
            all.Where(r => r.Label is not null).Select(r => $"{r.RequestId}/{r.Route}/{r.Label}"));
        Assert.Equal(56, all.Count(r => r.Label is null));
    }

    [Fact]
    public async Task A_record_whose_inputs_are_not_json_is_refused_and_nothing_of_its_batch_is_stored()
    {
        var t = Now();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Metadata.Predictions.AppendAsync([
            new("ok", "bad", "main", null, null, t, 1, "{}", "1", false),
            new("x", "bad", "main", null, null, t, 1, "{not json", "1", false),
        ]));
        Assert.Contains("one JSON value", e.Message);
        Assert.Empty(await Metadata.Predictions.ReadAsync("bad", 0, 10));
    }

    [Fact]
    public async Task Records_of_one_route_appended_together_share_a_segment()
    {
        var t = Now();
        await Metadata.Predictions.AppendAsync([
            .. Enumerable.Range(0, 50).Select(i => new PredictionRecord($"s{i}", "seg", "main", "m", 1, t + i, 1, "{}", "0.5", false)),
            .. Enumerable.Range(0, 20).Select(i => new PredictionRecord($"s{i}", "seg", "next", "m", 2, t + i, 1, "{}", "0.5", true)),
        ]);
        await using var connection = await Sql.Dialect.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), SUM(row_count) FROM prediction_segments WHERE deployment = 'seg'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((2L, 70L), (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Rows_logged_before_segments_are_migrated_with_their_labels()
    {
        var t = Now();
        await using (var connection = await Sql.Dialect.OpenAsync(default))
        {
            // the store as migration 17 left it, holding rows in the old table
            var types = Sql.Dialect.Types;
            await Execute(connection, "DROP TABLE prediction_segments; DROP TABLE prediction_keys; DROP TABLE prediction_labels; DELETE FROM schema_migrations WHERE version = 18;");
            await Execute(connection, PredictionLogSchema.V11(types) + "ALTER TABLE prediction_log ADD COLUMN inputs_id INTEGER;");
            await Execute(connection, "INSERT INTO prediction_inputs (names) VALUES ('[\"income\",\"city\"]')");
            await Execute(connection, $$"""
                INSERT INTO prediction_log (request_id, route, deployment, model_name, model_version, at, latency_ms, inputs, outputs, shadow, label, label_at, inputs_id) VALUES
                ('old-1', 'main', 'legacy', 'loan', 3, {{t}}, 1.5, '{"income":0.9}', '{"prediction":"1"}', 0, '1', {{t + 9}}, NULL),
                ('old-2', 'main', 'legacy', NULL, NULL, {{t + 1}}, 0.001, '[0.5,"Zürich \"Nord\""]', '0.25', 0, NULL, NULL, (SELECT id FROM prediction_inputs WHERE names = '["income","city"]')),
                ('old-2', 'next', 'legacy', 'loan', 4, {{t + 1}}, 2, '{}', '0.75', 1, NULL, NULL, NULL);
                """);
        }
        await using var migrated = (SqlMetadataStore)await OpenSecondAsync();
        var rows = await migrated.Predictions.ReadAsync("legacy", t, 10);
        Assert.Equal([
            $"old-1 main loan 3 {t} 1.5 {{\"income\":0.9}} {{\"prediction\":\"1\"}} False 1",
            $"old-2 main   {t + 1} 0.001 {{\"income\":0.5,\"city\":\"Z\\u00FCrich \\u0022Nord\\u0022\"}} 0.25 False ",
            $"old-2 next loan 4 {t + 1} 2 {{}} 0.75 True ",
        ], rows.Select(r => $"{r.RequestId} {r.Route} {r.ModelName} {r.ModelVersion} {r.Time} {r.LatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture)} {r.Inputs} {r.Outputs} {r.Shadow} {r.Label}"));
        Assert.Equal(["old-1 1"], (await migrated.Predictions.ReadRangeAsync("legacy", "main", t, t + 2, 10, labelledOnly: true)).Select(r => $"{r.RequestId} {r.Label}"));
        Assert.Empty(await migrated.Predictions.AddLabelsAsync([("old-2", "0")], t + 20)); // found by its key
        Assert.Equal(["old-1 1", "old-2 0"], (await migrated.Predictions.ReadRangeAsync("legacy", "main", t, t + 2, 10, labelledOnly: true)).Select(r => $"{r.RequestId} {r.Label}"));
        // new segments are numbered past the migrated ones
        var more = new PredictionRows();
        more.Add(new PredictionRow(new PredictionSource("legacy", "main", null, null, false), t + 2, 1, more.Write("new-1"), more.Write("{}"), more.Write("0.5")));
        await migrated.Predictions.AppendAsync(more);
        Assert.Equal(["old-1", "old-2", "old-2", "new-1"], (await migrated.Predictions.ReadAsync("legacy", t, 10)).Select(r => r.RequestId));
    }

    private static async Task Execute(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
