using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class CsvWriterTests
{
    private static readonly double[] Doubles =
    [
        0.1, -0.0, 1e-300, double.Epsilon, double.MaxValue, double.MinValue, Math.PI, 1.0 / 3, 123456789012345678, double.NaN,
        double.PositiveInfinity, double.NegativeInfinity, 42,
    ];

    private static Table Sample() => new(
    [
        new Float64Column("x", Doubles),
        new Float32Column("f", [.. Doubles.Select(d => (float)d)]),
        CategoricalColumn.FromValues("cat, with comma", [.. Doubles.Select((_, i) => (i % 4) switch { 0 => "a,b", 1 => "say \"hi\"", 2 => null, _ => "multi\nline" })]),
        new TextColumn("text", [.. Doubles.Select((_, i) => i % 3 == 0 ? null : $"t\"{i}\"\r\n,")]),
    ]);

    private static readonly CsvReadOptions SampleTypes = CsvReadOptions.Default with
    {
        ColumnTypes = new Dictionary<string, ColumnKind>
        {
            ["f"] = ColumnKind.Float32,
            ["cat, with comma"] = ColumnKind.Categorical,
            ["text"] = ColumnKind.Text,
        },
    };

    [Fact]
    public void Round_trips_every_kind_exactly()
    {
        var original = Sample();

        var csv = CsvWriter.WriteToString(original);
        var read = CsvReader.ParseString(csv, SampleTypes);

        Assert.Equal(original.ColumnNames, read.ColumnNames);
        Assert.Equal(Doubles, read.GetColumn<Float64Column>("x").Values.ToArray());
        Assert.True(BitConverter.DoubleToInt64Bits(read.GetColumn<Float64Column>("x")[1]) == BitConverter.DoubleToInt64Bits(-0.0));
        Assert.Equal(original.GetColumn<Float32Column>("f").Values.ToArray(), read.GetColumn<Float32Column>("f").Values.ToArray());
        var category = read.GetColumn<CategoricalColumn>("cat, with comma");
        var expectedCategory = original.GetColumn<CategoricalColumn>("cat, with comma");
        Assert.Equal(Enumerable.Range(0, Doubles.Length).Select(expectedCategory.GetValue), Enumerable.Range(0, Doubles.Length).Select(category.GetValue));
        Assert.Equal(original.GetColumn<TextColumn>("text").Values.ToArray().ToList(), read.GetColumn<TextColumn>("text").Values.ToArray().ToList());
    }

    [Fact]
    public void Quotes_only_fields_that_need_it()
    {
        var table = new Table(
        [
            new TextColumn("a,b", ["plain", "has,comma", "has\"quote", "has\nnewline", null, ""]),
            new Float64Column("n", [1.5, double.NaN, -2, 1e21, 0.000001, 3]),
        ]);

        var csv = CsvWriter.WriteToString(table);

        Assert.Equal("\"a,b\",n\nplain,1.5\n\"has,comma\",\n\"has\"\"quote\",-2\n\"has\nnewline\",1E+21\n,1E-06\n\"\",3\n", csv);
    }

    [Fact]
    public void Separator_newline_and_header_are_configurable()
    {
        var table = new Table([new TextColumn("a", ["x;y", "z"]), new Float64Column("b", [1, 2])]);

        var csv = CsvWriter.WriteToString(table, new CsvWriteOptions { Separator = ';', NewLine = "\r\n", WriteHeader = false });

        Assert.Equal("\"x;y\";1\r\nz;2\r\n", csv);
        Assert.Throws<ArgumentException>(() => CsvWriter.WriteToString(table, new CsvWriteOptions { NewLine = "\r" }));
    }

    [Fact]
    public async Task Writes_files_larger_than_the_buffer_and_reads_them_back()
    {
        const int rows = 100_000;
        var table = new Table(
        [
            new Float64Column("x", [.. Enumerable.Range(0, rows).Select(i => i / 7.0)]),
            new TextColumn("s", [.. Enumerable.Range(0, rows).Select(i => $"row {i} with, comma")]),
        ]);
        var path = Path.Combine(Path.GetTempPath(), $"kiln-writer-{Guid.NewGuid():N}.csv");
        try
        {
            await CsvWriter.WriteFileAsync(table, path);
            var read = CsvReader.ReadFile(path);

            Assert.Equal(table.GetColumn<Float64Column>("x").Values.ToArray(), read.GetColumn<Float64Column>("x").Values.ToArray());
            Assert.Equal(table.GetColumn<TextColumn>("s").Values.ToArray().ToList(), read.GetColumn<TextColumn>("s").Values.ToArray().ToList());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_one_column_table_keeps_its_missing_rows()
    {
        var table = new Table([new Float64Column("x", [1, double.NaN, 2])]);

        var csv = CsvWriter.WriteToString(table);
        var read = CsvReader.ParseString(csv);

        Assert.Equal("x\n1\n\"\"\n2\n", csv);
        Assert.Equal([1, double.NaN, 2], read.GetColumn<Float64Column>("x").Values.ToArray());
    }

    [Fact]
    public void A_single_huge_value_grows_the_buffer()
    {
        var huge = new string('x', 3 << 20);
        var table = new Table([new TextColumn("s", [huge])]);

        var read = CsvReader.ParseString(CsvWriter.WriteToString(table));

        Assert.Equal(huge, read.GetColumn<TextColumn>("s")[0]);
    }
}
