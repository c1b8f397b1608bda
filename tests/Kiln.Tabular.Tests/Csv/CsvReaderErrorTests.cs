using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class CsvReaderErrorTests
{
    private static CsvFormatException ReadFileExpectingError(string csv, CsvReadOptions? options = null)
    {
        using var file = new TempCsvFile(csv);
        var error = Assert.Throws<CsvFormatException>(() => CsvReader.ReadFile(file.Path, options));
        Assert.Equal(file.Path, error.SourceName);
        Assert.StartsWith($"{file.Path}, line {error.LineNumber}", error.Message);
        return error;
    }

    [Fact]
    public void Too_few_fields_names_the_line_and_the_first_missing_column()
    {
        var error = ReadFileExpectingError("a,b,c\n1,2,3\n4,5\n6,7,8\n");

        Assert.Equal(3, error.LineNumber);
        Assert.Equal(3, error.ColumnNumber);
        Assert.Equal("c", error.ColumnName);
        Assert.Contains("line 3, column 3 'c'", error.Message);
        Assert.Contains("2 field(s) but the header has 3", error.Message);
    }

    [Fact]
    public void An_error_deep_in_a_large_file_is_reported_from_released_pages()
    {
        var rows = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"{i},{i * 0.5},x{i % 7}\n"));
        var error = ReadFileExpectingError("a,b,c\n" + rows + "1,2\n", CsvReadOptions.Default with { ChunkSize = 2 * Environment.SystemPageSize });

        Assert.Equal(50_002, error.LineNumber);
        Assert.Equal("c", error.ColumnName);
    }

    [Fact]
    public void Too_many_fields_names_the_line_and_counts_the_fields()
    {
        var error = ReadFileExpectingError("a,b\n1,2\n3,4\n5,6,7,8\n");

        Assert.Equal(4, error.LineNumber);
        Assert.Equal("b", error.ColumnName);
        Assert.Contains("4 fields but the header has 2", error.Message);
    }

    [Fact]
    public void Unterminated_quote_names_the_line_where_the_quote_opens()
    {
        var error = ReadFileExpectingError("a,b\n1,x\n2,\"never closed\n3,y\n");

        Assert.Equal(3, error.LineNumber);
        Assert.Equal(2, error.ColumnNumber);
        Assert.Equal("b", error.ColumnName);
        Assert.Contains("never closes", error.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_number_in_a_forced_numeric_column_is_named()
    {
        var options = CsvReadOptions.Default with { ColumnTypes = new Dictionary<string, ColumnKind> { ["b"] = ColumnKind.Numeric } };

        var error = ReadFileExpectingError("a,b\nx,1\ny,2\nz,abc\n", options);

        Assert.Equal(4, error.LineNumber);
        Assert.Equal(2, error.ColumnNumber);
        Assert.Equal("b", error.ColumnName);
        Assert.Contains("value 'abc' is not a number", error.Message);
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_an_error()
    {
        var error = ReadFileExpectingError("a,b\n1,5'11\"\n");

        Assert.Equal(2, error.LineNumber);
        Assert.Equal("b", error.ColumnName);
        Assert.Contains("double quote appears inside an unquoted field", error.Message);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var error = ReadFileExpectingError("a,b\n\"x\"y,1\n");

        Assert.Equal(2, error.LineNumber);
        Assert.Equal("a", error.ColumnName);
        Assert.Contains("text follows the closing quote", error.Message);
    }

    [Fact]
    public void Line_numbers_count_newlines_inside_quoted_fields()
    {
        var error = ReadFileExpectingError("a,b\n\"multi\nline\",1\n\"x\",2\nbad\n");

        Assert.Equal(5, error.LineNumber);
    }

    [Fact]
    public void Line_numbers_count_blank_lines_and_crlf()
    {
        var error = ReadFileExpectingError("a,b\r\n\r\n1,2\r\n\r\n3\r\n");

        Assert.Equal(5, error.LineNumber);
    }

    [Fact]
    public void An_empty_file_has_no_header()
    {
        var error = ReadFileExpectingError("");

        Assert.Equal(1, error.LineNumber);
        Assert.Contains("no header row", error.Message);
    }

    [Fact]
    public void Duplicate_header_names_are_an_error()
    {
        var error = ReadFileExpectingError("a,b,a\n1,2,3\n");

        Assert.Equal(1, error.LineNumber);
        Assert.Equal(3, error.ColumnNumber);
        Assert.Contains("repeats column 1", error.Message);
    }

    [Fact]
    public void Parallel_parsing_reports_the_earliest_error()
    {
        var rows = string.Concat(Enumerable.Range(0, 2000).Select(i => i == 700 || i == 1500 ? $"{i}\n" : $"{i},{i}\n"));
        var options = CsvReadOptions.Default with { ChunkSize = 256, MaxDegreeOfParallelism = 4 };

        var error = ReadFileExpectingError("a,b\n" + rows, options);

        Assert.Equal(702, error.LineNumber);
    }

    [Theory]
    [InlineData("\"unbalanced", "text follows the closing quote")]
    [InlineData("5'11\"", "double quote appears inside an unquoted field")]
    [InlineData("\"closed\"junk", "text follows the closing quote")]
    public void Quote_errors_are_reported_at_their_line_when_parsing_in_parallel(string badField, string expected)
    {
        var rows = string.Concat(Enumerable.Range(0, 3000).Select(i => i == 1234 ? $"{i},{badField}\n" : $"{i},\"q{i % 5}\"\n"));
        var options = CsvReadOptions.Default with { ChunkSize = 300, MaxDegreeOfParallelism = 4 };

        var error = ReadFileExpectingError("a,b\n" + rows, options);

        Assert.Equal(1236, error.LineNumber);
        Assert.Equal("b", error.ColumnName);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_unterminated_quote_in_parallel_parsing_names_its_line()
    {
        var rows = string.Concat(Enumerable.Range(0, 3000).Select(i => i == 2500 ? $"{i},\"open\n" : $"{i},{i % 7}\n"));
        var options = CsvReadOptions.Default with { ChunkSize = 300, MaxDegreeOfParallelism = 4 };

        var error = ReadFileExpectingError("a,b\n" + rows, options);

        Assert.Equal(2502, error.LineNumber);
        Assert.Contains("never closes", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_naming_the_line_and_byte_never_replaced()
    {
        // "café" in Latin-1 on line 3: 0xE9 followed by a comma is not UTF-8.
        var bytes = System.Text.Encoding.ASCII.GetBytes("city,n\nparis,1\ncaf").Concat(new byte[] { 0xE9 }).Concat(System.Text.Encoding.ASCII.GetBytes(",2\n")).ToArray();
        using var file = new TempCsvFile(bytes);
        var error = Assert.Throws<CsvFormatException>(() => CsvReader.ReadFile(file.Path));
        Assert.Equal(3, error.LineNumber);
        Assert.Contains("byte 18 (0xE9) is not valid UTF-8", error.Message);
        Assert.Contains("--encoding", error.Message);
        var parallel = Assert.Throws<CsvFormatException>(() => CsvReader.Parse(bytes, CsvReadOptions.Default with { ChunkSize = 4 }));
        Assert.Equal(3, parallel.LineNumber);
    }
}
