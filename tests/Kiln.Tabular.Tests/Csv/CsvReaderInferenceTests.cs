using System.Text;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class CsvReaderInferenceTests
{
    private static CsvReadOptions Forced(string column, ColumnKind kind) => CsvReadOptions.Default with
    {
        ColumnTypes = new Dictionary<string, ColumnKind> { [column] = kind },
    };

    [Fact]
    public void Missing_tokens_in_numeric_columns_become_NaN()
    {
        var table = CsvReader.ParseString("a,b\n1,x\n,x\nNA,x\nNaN,x\nnull,x\nN/A,x\nna,x\nNULL,x\n\"\",x\n2,x\n");

        var a = table.GetColumn<Float64Column>("a");
        Assert.Equal(10, a.Length);
        Assert.Equal(8, a.CountMissing());
        Assert.Equal(1.0, a[0]);
        Assert.Equal(2.0, a[9]);
    }

    [Fact]
    public void Missing_tokens_in_text_columns_become_missing()
    {
        var table = CsvReader.ParseString("a\nx\nNA\n\ny\nnan\n", Forced("a", ColumnKind.Categorical));

        var a = table.GetColumn<CategoricalColumn>("a");
        Assert.Equal(["x", "y"], a.Categories);
        Assert.Equal([0, -1, 1, -1], a.Codes.ToArray());
    }

    [Fact]
    public void An_all_missing_column_is_numeric()
    {
        var table = CsvReader.ParseString("a,b\n,1\nNA,2\n");

        Assert.Equal(2, table.GetColumn<Float64Column>("a").CountMissing());
    }

    [Fact]
    public void Custom_missing_tokens_replace_the_defaults()
    {
        var options = CsvReadOptions.Default with { MissingValues = ["?"] };

        var table = CsvReader.ParseString("a,b\n?,NA\n1,NA\n2,x\n3,x\n", options);

        Assert.True(table["a"].IsMissing(0));
        Assert.Equal(["NA", "x"], table.GetColumn<CategoricalColumn>("b").Categories);
    }

    [Theory]
    [InlineData("1e5", 1e5)]
    [InlineData("-0.5", -0.5)]
    [InlineData("+3", 3)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData(" 7 ", 7)]
    [InlineData("1E-3", 0.001)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("3.14159265358979323846264338", 3.14159265358979323846264338)]
    public void Numbers_parse_in_invariant_culture(string text, double expected)
    {
        var table = CsvReader.ParseString($"a\n{text}\n");

        Assert.Equal(expected, table.GetColumn<Float64Column>("a")[0]);
    }

    [Fact]
    public void Few_distinct_strings_are_categorical_and_many_are_text()
    {
        var csv = new StringBuilder("id,group\n");
        for (var i = 0; i < 100; i++)
        {
            csv.Append($"id{i},g{i % 3}\n");
        }

        var table = CsvReader.ParseString(csv.ToString());

        Assert.IsType<TextColumn>(table["id"]);
        Assert.Equal(["g0", "g1", "g2"], table.GetColumn<CategoricalColumn>("group").Categories);
    }

    [Fact]
    public void Categorical_limits_are_configurable()
    {
        const string csv = "g\na\nb\na\nb\nc\nc\n";

        Assert.IsType<CategoricalColumn>(CsvReader.ParseString(csv)["g"]);
        Assert.IsType<TextColumn>(CsvReader.ParseString(csv, CsvReadOptions.Default with { MaxCategoricalCardinality = 2 })["g"]);
        Assert.IsType<TextColumn>(CsvReader.ParseString(csv, CsvReadOptions.Default with { MaxCategoricalFraction = 0.4 })["g"]);
    }

    [Fact]
    public void A_late_non_number_turns_the_column_to_text_keeping_the_original_spelling()
    {
        var table = CsvReader.ParseString("a\n1.0\n2\n1.0\nNA\nx\n2\n");

        var a = table.GetColumn<CategoricalColumn>("a");
        Assert.Equal(["1.0", "2", "x"], a.Categories);
        Assert.Equal([0, 1, 0, -1, 2, 1], a.Codes.ToArray());
    }

    [Fact]
    public void Forced_categorical_and_text_keep_numbers_as_strings()
    {
        const string csv = "a\n1\n01\n1\n";

        Assert.Equal(["01", "1"], CsvReader.ParseString(csv, Forced("a", ColumnKind.Categorical)).GetColumn<CategoricalColumn>("a").Categories);
        Assert.Equal(["1", "01", "1"], CsvReader.ParseString(csv, Forced("a", ColumnKind.Text)).GetColumn<TextColumn>("a").Values.ToArray().ToList());
    }

    [Fact]
    public void Forced_text_keeps_text_even_when_few_distinct()
    {
        var table = CsvReader.ParseString("a\nx\nx\nx\n", Forced("a", ColumnKind.Text));

        Assert.IsType<TextColumn>(table["a"]);
    }

    [Fact]
    public void Forced_float32_stores_floats()
    {
        var table = CsvReader.ParseString("a,b\n0.1,1\nNA,2\n", Forced("a", ColumnKind.Float32));

        var a = table.GetColumn<Float32Column>("a");
        Assert.Equal(0.1f, a[0]);
        Assert.True(a.IsMissing(1));
        Assert.IsType<Float64Column>(table["b"]);
    }

    [Fact]
    public void Forcing_a_column_that_is_not_in_the_header_fails_listing_the_header()
    {
        var error = Assert.Throws<ArgumentException>(() => CsvReader.ParseString("a,b\n1,2\n", Forced("c", ColumnKind.Numeric), "data.csv"));

        Assert.Contains("'c'", error.Message);
        Assert.Contains("data.csv", error.Message);
        Assert.Contains("a, b", error.Message);
    }
}
