using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Engine.Serving;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Tests.Serving;

public sealed class SplitScannerTests
{
    /// <summary>Two numbers and a category (also the log's tests' model).</summary>
    internal static readonly ModelSchema Schema = new(TaskKind.BinaryClassification, "y",
        [new FeatureInfo("a", FeatureKind.Numeric, []), new FeatureInfo("b", FeatureKind.Numeric, []), new FeatureInfo("c", FeatureKind.Categorical, ["x", "y"])],
        ["0", "1"]);

    private static Table General(string body) => ScoringPayload.ReadJson(JsonDocument.Parse(body).RootElement, Schema);

    private static Table? Fast(string body) => SplitScanner.TryRead(Encoding.UTF8.GetBytes(body), Schema);

    private static void AssertSame(Table want, Table got)
    {
        Assert.Equal(want.RowCount, got.RowCount);
        foreach (var feature in Schema.Features)
        {
            var (w, g) = (want[feature.Name], got[feature.Name]);
            for (var r = 0; r < want.RowCount; r++)
            {
                if (w is NumericColumn wn)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(wn.GetValue(r)), BitConverter.DoubleToInt64Bits(((NumericColumn)g).GetValue(r)));
                }
                else
                {
                    Assert.Equal(((CategoricalColumn)w)[r], ((CategoricalColumn)g)[r]);
                }
            }
        }
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1.5, -2, "x"], [0.1, 3e-5, "y"], [null, true, null], [false, -0.0, "new"]]}}""")]
    [InlineData("""{"dataframe_split":{"index":[0,1],"columns":["c","extra","b","a"],"data":[["x",1,2.5E+3,7],[12,"z",1e22,-1e-22]]}}""")]
    [InlineData("""  {"dataframe_split": {"columns": ["a","b","c"], "data": []}}  """)]
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "[x]"], [3, 4, "y[["]], "index": [5, 6]}}""")]
    [InlineData("""{"dataframe_split": {"columns": ["a","b","c"], "data": [[123456789012345678901234567890, 0.30000000000000004, "x"], [1e300, 4.9e-324, "y"], [2.2250738585072014e-308, 9007199254740993, "x"]]}}""")]
    public void Reads_what_the_general_reader_reads_bit_for_bit(string body)
    {
        var fast = Fast(body);
        Assert.NotNull(fast);
        AssertSame(General(body), fast);
    }

    [Fact]
    public void Random_numbers_in_every_notation_parse_to_the_runtimes_double()
    {
        var random = new Random(7);
        var rows = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30));
            var text = (i % 4) switch
            {
                0 => v.ToString("R", CultureInfo.InvariantCulture),
                1 => v.ToString("E10", CultureInfo.InvariantCulture),
                2 => v.ToString("F6", CultureInfo.InvariantCulture),
                _ => Math.Round(v).ToString("F0", CultureInfo.InvariantCulture),
            };
            rows.Add($"[{text}, {i}, \"x\"]");
        }
        var body = $$$"""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [{{{string.Join(",", rows)}}}]}}""";
        var fast = Fast(body);
        Assert.NotNull(fast);
        AssertSame(General(body), fast);
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"data": [[1, 2, "x"]], "columns": ["a", "b", "c"]}}""")] // data before columns
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "x\"y"]]}}""")] // an escape
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "é"]]}}""")] // not ASCII
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [["1.5", 2, "x"]]}}""")] // a number as a string
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2]]}}""")] // a short row
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "x", 4]]}}""")] // a long row
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[01, 2, "x"]]}}""")] // not JSON
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1., 2, "x"]]}}""")] // not JSON
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "x"]]}} x""")] // trailing text
    [InlineData("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "x"]]}, "params": {}}""")] // another key
    [InlineData("""{"inputs": {"a": [1], "b": [2], "c": ["x"]}}""")] // another format
    public void Leaves_every_other_shape_to_the_general_reader(string body) => Assert.Null(Fast(body));

    [Fact]
    public void A_missing_or_repeated_column_is_the_same_error_as_the_general_readers()
    {
        var missing = """{"dataframe_split": {"columns": ["a", "c"], "data": [[1, "x"]]}}""";
        Assert.Equal(Assert.Throws<KilnException>(() => General(missing)).Message, Assert.Throws<KilnException>(() => Fast(missing)).Message);
        var twice = """{"dataframe_split": {"columns": ["a", "b", "c", "a"], "data": [[1, 2, "x", 3]]}}""";
        Assert.Equal(Assert.Throws<KilnException>(() => General(twice)).Message, Assert.Throws<KilnException>(() => Fast(twice)).Message);
    }

    [Fact]
    public void Brackets_inside_strings_do_not_make_the_reader_reserve_more_rows_than_the_body_holds()
    {
        // 2,000 rows whose category holds 200 brackets: sized by the count alone, the columns would take 402,000 rows each
        var row = $"[1, 2, \"{new string('[', 200)}\"]";
        var body = $$$"""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [{{{string.Join(", ", Enumerable.Repeat(row, 2_000))}}}]}}""";
        var before = GC.GetAllocatedBytesForCurrentThread();
        var fast = Fast(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(fast);
        Assert.Equal(2_000, fast.RowCount);
        Assert.True(allocated < 5_000_000, $"allocated {allocated:N0} bytes for a {body.Length:N0}-byte body");
        AssertSame(General(body), fast);
    }

    [Fact]
    public void Requests_with_different_column_orders_each_get_their_own_slots()
    {
        var one = Fast("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, "x"]]}}""")!;
        var two = Fast("""{"dataframe_split": {"columns": ["b", "a", "c"], "data": [[1, 2, "y"]]}}""")!;
        var three = Fast("""{"dataframe_split": {"columns": ["a", "b", "c"], "data": [[5, 6, "y"]]}}""")!;
        Assert.Equal([1.0, 2.0, 2.0, 1.0, 5.0, 6.0],
            [((NumericColumn)one["a"]).GetValue(0), ((NumericColumn)one["b"]).GetValue(0), ((NumericColumn)two["a"]).GetValue(0),
             ((NumericColumn)two["b"]).GetValue(0), ((NumericColumn)three["a"]).GetValue(0), ((NumericColumn)three["b"]).GetValue(0)]);
    }

    [Fact]
    public void Generated_request_ids_are_unique_and_ascend()
    {
        var ids = Enumerable.Range(0, 10_000).AsParallel().Select(_ => RequestIds.Next()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var inOrder = Enumerable.Range(0, 100).Select(_ => RequestIds.Next()).ToList();
        Assert.Equal(inOrder.Order(StringComparer.Ordinal), inOrder);
    }
}
