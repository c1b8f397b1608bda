using System.Text;
using System.Text.Json;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Learn.Data;

namespace Kiln.Engine.Tests.Serving;

/// <summary>The log's row JSON: numbers copied from the request's text mean what the formatted values mean.</summary>
public sealed class LogJsonTests
{
    private static readonly ModelSchema Schema = SplitScannerTests.Schema;

    private static List<Dictionary<string, JsonElement>> Logged(PredictionRows rows) =>
        [.. Enumerable.Range(0, rows.Count).Select(i => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(rows.Text(rows[i].Inputs))!)];

    [Fact]
    public void Numbers_copied_from_the_request_read_back_as_the_values_formatted_again()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"dataframe_split": {"columns": ["c", "extra", "b", "a"], "data": [["x", 1, 2.50E+3, 0.1], [7, "z", true, -1e-22], [null, 0, null, 123456789012345678901234567890]]}}
            """);
        var (table, raw) = SplitScanner.TryReadWithRaw(body, body.Length, Schema)!.Value;
        var source = new PredictionSource("loan", "champion", "loan", 3, false);
        var (copied, formatted) = (new PredictionRows(), new PredictionRows());
        double[] outputs = [0.2, 0.9, 0.5];
        new LogJson(table, Schema, raw).AddRows(copied, source, "r1", 1000, 1.5, outputs);
        new LogJson(table, Schema).AddRows(formatted, source, "r1", 1000, 1.5, outputs);

        Assert.Equal(3, copied.Count);
        Assert.Equal(["r1", "r1:1", "r1:2"], Enumerable.Range(0, 3).Select(i => Encoding.UTF8.GetString(copied.Text(copied[i].RequestId))));
        Assert.Contains("2.50E+3", Encoding.UTF8.GetString(copied.Text(copied[0].Inputs)), StringComparison.Ordinal); // the client's own text
        foreach (var (c, f) in Logged(copied).Zip(Logged(formatted)))
        {
            Assert.Equal(f.Keys, c.Keys); // the model's features, in its order, without the extra column
            foreach (var key in f.Keys)
            {
                Assert.Equal(f[key].ValueKind, c[key].ValueKind);
                if (f[key].ValueKind == JsonValueKind.Number)
                {
                    Assert.Equal(f[key].GetDouble(), c[key].GetDouble());
                }
                else
                {
                    Assert.Equal(f[key].ToString(), c[key].ToString());
                }
            }
        }
        Assert.Equal(1, Logged(copied)[1]["b"].GetDouble()); // a literal is the value it stands for
        Assert.Equal("7", Logged(copied)[1]["c"].GetString()); // a number in a categorical column is its category
        Assert.Equal(JsonValueKind.Null, Logged(copied)[2]["b"].ValueKind);
        Assert.Equal(Encoding.UTF8.GetString(formatted.Text(formatted[1].Outputs)), Encoding.UTF8.GetString(copied.Text(copied[1].Outputs)));
    }

    [Fact]
    public void Many_rows_keep_every_numbers_place_and_give_the_pooled_array_back()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 700).Select(i => i % 50 == 0 ? "[null, 1e5, \"y\"]" : $"[{random.NextDouble() * 1000:R}, {random.Next(-99, 99)}, \"x\"]");
        var body = Encoding.UTF8.GetBytes("{\"dataframe_split\": {\"columns\": [\"a\", \"b\", \"c\"], \"data\": [" + string.Join(", ", rows) + "]}}");
        var (table, raw) = SplitScanner.TryReadWithRaw(body, body.Length, Schema)!.Value;
        var (copied, formatted) = (new PredictionRows(), new PredictionRows());
        var outputs = new double[700];
        var source = new PredictionSource("loan", "champion", null, null, false);
        new LogJson(table, Schema, raw).AddRows(copied, source, "r", 1, 1, outputs);
        new LogJson(table, Schema).AddRows(formatted, source, "r", 1, 1, outputs);
        foreach (var (c, f) in Logged(copied).Zip(Logged(formatted), (c, f) => (c, f)))
        {
            Assert.Equal(f["a"].ValueKind == JsonValueKind.Null ? double.NaN : f["a"].GetDouble(), c["a"].ValueKind == JsonValueKind.Null ? double.NaN : c["a"].GetDouble());
            Assert.Equal(f["b"].GetDouble(), c["b"].GetDouble());
        }
        Assert.True(raw.TryGet(699, 0, out _));
        var infinite = new PredictionRows();
        var huge = new Kiln.Tabular.Table([new Kiln.Tabular.Columns.Float64Column("a", [double.PositiveInfinity]), new Kiln.Tabular.Columns.Float64Column("b", [1]),
            new Kiln.Tabular.Columns.CategoricalColumn("c", [0], ["x"])]);
        new LogJson(huge, Schema).AddRows(infinite, source, "inf", 1, 1, [0.5]);
        Assert.Equal(JsonValueKind.Null, Logged(infinite)[0]["a"].ValueKind); // JSON has no infinity
        raw.Dispose();
        Assert.False(raw.TryGet(699, 0, out _)); // given back: nothing reads the array afterwards
        raw.Dispose();
    }

    [Fact]
    public void Batches_move_their_rows_whole()
    {
        var source = new PredictionSource("loan", "champion", null, null, true);
        var records = Enumerable.Range(0, 50).Select(i => new PredictionRecord($"id-{i}", "loan", "champion", null, null, i, i * 0.5, $"{{\"a\":{i}}}",
            "{\"prediction\":\"é\"}", true)).ToList();
        var all = PredictionRows.From(records.Take(20));
        all.AddAll(PredictionRows.From(records.Skip(20)));
        Assert.Equal(records, Enumerable.Range(0, all.Count).Select(all.Record));
        all.Clear(keepBytes: 300);
        Assert.Equal(0, (all.Count, all.Length).Item1 + all.Length);
        all.Add(new PredictionRow(source, 1, 2, all.Write("x"), all.Write("{}"u8), all.Write("1")));
        Assert.Equal(new PredictionRecord("x", "loan", "champion", null, null, 1, 2, "{}", "1", true), all.Record(0));
    }
}
