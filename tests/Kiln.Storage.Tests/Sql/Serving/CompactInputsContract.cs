using System.Text.Json;
using Kiln.Core.Serving;

namespace Kiln.Storage.Tests.Sql;

// The prediction log's compact rows, on every SQL store (SQLite and PostgreSQL run the same contract).
public abstract partial class SqlMetadataStoreContract
{
    [Fact]
    public async Task Rows_logged_as_arrays_keep_their_names_once_and_are_read_back_as_objects()
    {
        var t = Now();
        // two served models with their own names (one needing escapes), and a row logged as an object
        var loan = new PredictionSource("loan", "champion", "loan", 3, false, JsonSerializer.Serialize(new[] { "income", "debt \"ratio\"", "région" }));
        var next = new PredictionSource("loan", "next", "loan", 4, true, JsonSerializer.Serialize(new[] { "income", "age" }));
        var plain = new PredictionSource("loan", "champion", null, null, false);
        var rows = new PredictionRows();
        void Add(PredictionSource source, string id, long at, string inputs) =>
            rows.Add(new PredictionRow(source, at, 1, rows.Write(id), rows.Write(inputs), rows.Write("0.5")));
        Add(loan, "a", t, "[0.9,null,\"nord\"]");
        Add(next, "a", t, "[0.9,41]");
        Add(loan, "b", t + 1, "[1e-3,0.25,\"sud\"]");
        Add(plain, "c", t + 2, "{\"income\":0.1}");
        await Metadata.Predictions.AppendAsync(rows);

        // each row's inputs as name=value pairs, the values as the request sent them
        var expected = new Dictionary<string, string>
        {
            ["a/champion"] = "income=0.9 debt \"ratio\"=null région=\"nord\"",
            ["a/next"] = "income=0.9 age=41",
            ["b/champion"] = "income=1e-3 debt \"ratio\"=0.25 région=\"sud\"",
            ["c/champion"] = "income=0.1",
        };
        var read = await Metadata.Predictions.ReadAsync("loan", t, 10);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), read.Select(r => KeyValuePair.Create($"{r.RequestId}/{r.Route}", Pairs(r.Inputs))).OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(["a", "b", "c"], (await Metadata.Predictions.ReadLatestAsync("loan", "champion", t, 10)).Select(r => r.RequestId));
        Assert.Equal(expected["b/champion"], Pairs((await Metadata.Predictions.ReadRangeAsync("loan", "champion", t + 1, t + 2, 10)).Single().Inputs));

        // another process logging the same model stores no second copy of its names; the rows hold only the values
        await using var second = (Kiln.Storage.Sql.SqlMetadataStore)await OpenSecondAsync();
        var more = new PredictionRows();
        more.Add(new PredictionRow(loan with { }, t + 3, 1, more.Write("d"), more.Write("[2,3,\"est\"]"), more.Write("0.5")));
        await second.Predictions.AppendAsync(more);
        Assert.Equal("income=2 debt \"ratio\"=3 région=\"est\"", Pairs((await Metadata.Predictions.ReadRangeAsync("loan", "champion", t + 3, t + 4, 10)).Single().Inputs));
        await using var connection = await Sql.Dialect.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM prediction_inputs";
        Assert.Equal(2L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        command.CommandText = "SELECT s.rows FROM prediction_keys k JOIN prediction_segments s ON s.id = k.segment WHERE k.request_id = 'd'";
        Assert.Equal($"[[{t + 3},1,\"d\",[2,3,\"est\"],0.5]]", System.Text.Encoding.UTF8.GetString((byte[])(await command.ExecuteScalarAsync())!));
    }

    private static string Pairs(string json) =>
        string.Join(' ', JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}"));
}
