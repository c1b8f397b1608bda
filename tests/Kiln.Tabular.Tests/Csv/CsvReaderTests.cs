using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class CsvReaderTests
{
    private static readonly CsvReadOptions AllText = CsvReadOptions.Default with
    {
        ColumnTypes = new Dictionary<string, ColumnKind> { ["a"] = ColumnKind.Text, ["b"] = ColumnKind.Text },
    };

    private static List<string?> Texts(Table table, string name) => [.. table.GetColumn<TextColumn>(name).Values];

    [Fact]
    public void Reads_numeric_and_categorical_columns()
    {
        var table = CsvReader.ParseString("x,color,y\n1.5,red,-2\n2,blue,3e2\n-0.25,red,4\n8,blue,5\n");

        Assert.Equal(4, table.RowCount);
        Assert.Equal(["x", "color", "y"], table.ColumnNames);
        Assert.Equal([1.5, 2, -0.25, 8], table.GetColumn<Float64Column>("x").Values.ToArray());
        Assert.Equal([-2, 300, 4, 5], table.GetColumn<Float64Column>("y").Values.ToArray());
        var color = table.GetColumn<CategoricalColumn>("color");
        Assert.Equal(["blue", "red"], color.Categories);
        Assert.Equal([1, 0, 1, 0], color.Codes.ToArray());
    }

    [Fact]
    public void Quoted_fields_keep_separators_and_doubled_quotes()
    {
        var table = CsvReader.ParseString("a,b\n\"1,5\",\"say \"\"hi\"\"\"\n\"\"\"\",plain\n", AllText);

        Assert.Equal(["1,5", "\""], Texts(table, "a"));
        Assert.Equal(["say \"hi\"", "plain"], Texts(table, "b"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Quoted_fields_keep_embedded_newlines(string newline)
    {
        var csv = $"a,b{newline}\"line1{newline}line2\",x{newline}\"{newline}\",y{newline}";

        var table = CsvReader.ParseString(csv, AllText);

        Assert.Equal([$"line1{newline}line2", newline], Texts(table, "a"));
        Assert.Equal(["x", "y"], Texts(table, "b"));
    }

    [Fact]
    public void Crlf_rows_and_a_missing_final_newline_are_fine()
    {
        var table = CsvReader.ParseString("a,b\r\n1,x\r\n2,x");

        Assert.Equal(2, table.RowCount);
        Assert.Equal([1.0, 2.0], table.GetColumn<Float64Column>("a").Values.ToArray());
        Assert.Equal("x", table.GetColumn<CategoricalColumn>("b")[1]);
    }

    [Fact]
    public void A_final_carriage_return_is_not_part_of_the_value()
    {
        var table = CsvReader.ParseString("a,b\r\n1,x\r\n2,y\r", AllText);

        Assert.Equal(["x", "y"], Texts(table, "b"));
    }

    [Fact]
    public void Byte_order_mark_is_skipped()
    {
        using var file = new TempCsvFile("id,v\n1,2\n", byteOrderMark: true);

        var table = CsvReader.ReadFile(file.Path);

        Assert.Equal(["id", "v"], table.ColumnNames);
        Assert.Equal(1.0, table.GetColumn<Float64Column>("id")[0]);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public void Separator_is_configurable(char separator)
    {
        var csv = $"a{separator}b\n1,5{separator}\"x{separator}y\"\n";

        var table = CsvReader.ParseString(csv, AllText with { Separator = separator });

        Assert.Equal(["1,5"], Texts(table, "a"));
        Assert.Equal([$"x{separator}y"], Texts(table, "b"));
    }

    [Fact]
    public void Blank_lines_are_skipped()
    {
        var table = CsvReader.ParseString("\na,b\n\n1,2\n\r\n3,4\n\n");

        Assert.Equal([1.0, 3.0], table.GetColumn<Float64Column>("a").Values.ToArray());
    }

    [Fact]
    public void Header_only_gives_an_empty_table()
    {
        var table = CsvReader.ParseString("a,b\n");

        Assert.Equal(0, table.RowCount);
        Assert.Equal(2, table.ColumnCount);
    }

    [Fact]
    public void Quoted_numbers_are_numbers()
    {
        var table = CsvReader.ParseString("a\n\"1.5\"\n\"2\"\n");

        Assert.Equal([1.5, 2.0], table.GetColumn<Float64Column>("a").Values.ToArray());
    }

    [Fact]
    public void Empty_header_names_get_placeholders()
    {
        var table = CsvReader.ParseString(",b\n1,2\n");

        Assert.Equal(["Unnamed: 0", "b"], table.ColumnNames);
    }

    [Fact]
    public void Utf8_text_is_decoded()
    {
        var table = CsvReader.ParseString("name,city\ncafé,東京\nnaïve,Zürich\n", AllText with
        {
            ColumnTypes = new Dictionary<string, ColumnKind> { ["name"] = ColumnKind.Text, ["city"] = ColumnKind.Categorical },
        });

        Assert.Equal(["café", "naïve"], Texts(table, "name"));
        Assert.Equal(["Zürich", "東京"], table.GetColumn<CategoricalColumn>("city").Categories);
    }

    [Fact]
    public async Task File_stream_and_memory_sources_agree()
    {
        const string csv = "a,b\n1,x\n2,\"y\nz\"\n";
        using var file = new TempCsvFile(csv);

        var fromFile = CsvReader.ReadFile(file.Path, AllText);
        var fromFileAsync = await CsvReader.ReadFileAsync(file.Path, AllText);
        await using var stream = File.OpenRead(file.Path);
        var fromStream = await CsvReader.ReadAsync(stream, "stream", AllText);
        var fromMemory = CsvReader.Parse(File.ReadAllBytes(file.Path), AllText);

        foreach (var table in new[] { fromFileAsync, fromStream, fromMemory })
        {
            Assert.Equal(Texts(fromFile, "b"), Texts(table, "b"));
        }
        Assert.Equal(["x", "y\nz"], Texts(fromFile, "b"));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => CsvReader.ParseString("a\n1\n", CsvReadOptions.Default with { Separator = '"' }));
        Assert.Throws<ArgumentException>(() => CsvReader.ParseString("a\n1\n", CsvReadOptions.Default with { ChunkSize = 0 }));
        Assert.Throws<ArgumentException>(() => CsvReader.ParseString("a\n1\n", CsvReadOptions.Default with { MaxCategoricalFraction = 2 }));
        Assert.Throws<ArgumentException>(() => CsvReader.ParseString("a\n1\n", CsvReadOptions.Default with { MaxDegreeOfParallelism = 0 }));
    }

    [Fact]
    public void Cancellation_is_observed()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => CsvReader.Parse("a\n1\n"u8.ToArray(), cancellationToken: cancellation.Token));
    }
}
