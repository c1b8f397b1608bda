using System.Globalization;
using System.Text;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class CsvReaderParallelTests
{
    private static readonly CsvReadOptions Sequential = CsvReadOptions.Default with { ChunkSize = int.MaxValue, MaxDegreeOfParallelism = 1 };

    /// <summary>Rows that exercise every path: quoted fields with separators, quotes and newlines, missing values,
    /// a column that becomes text only near the end, blank lines, CRLF.</summary>
    private static string GenerateCsv(int rows, string newline, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder($"id,x,color,note,late,small{newline}");
        for (var i = 0; i < rows; i++)
        {
            var x = random.Next(10) == 0 ? "NA" : (random.NextDouble() * 2000 - 1000).ToString("R", CultureInfo.InvariantCulture);
            var color = random.Next(20) == 0 ? "" : $"c{random.Next(12)}";
            var note = random.Next(4) switch
            {
                0 => $"\"has, comma {i}\"",
                1 => $"\"multi{newline}line \"\"{i}\"\"\"",
                2 => "",
                _ => $"plain{random.Next(5000)}",
            };
            var late = i == rows - 3 ? "text" : random.Next(100).ToString(CultureInfo.InvariantCulture);
            var small = (random.NextDouble() * 1e-6).ToString("E3", CultureInfo.InvariantCulture);
            csv.Append($"{i},{x},{color},{note},{late},{small}{newline}");
            if (random.Next(200) == 0)
            {
                csv.Append(newline);
            }
        }
        return csv.ToString();
    }

    private static void AssertSame(Table expected, Table actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        Assert.Equal(expected.RowCount, actual.RowCount);
        for (var c = 0; c < expected.ColumnCount; c++)
        {
            switch (expected[c])
            {
                case Float64Column numbers:
                    Assert.Equal(numbers.Values.ToArray(), Assert.IsType<Float64Column>(actual[c]).Values.ToArray());
                    break;
                case CategoricalColumn categorical:
                    var other = Assert.IsType<CategoricalColumn>(actual[c]);
                    Assert.Equal(categorical.Categories, other.Categories);
                    Assert.Equal(categorical.Codes.ToArray(), other.Codes.ToArray());
                    break;
                case TextColumn text:
                    Assert.Equal(text.Values.ToArray().ToList(), Assert.IsType<TextColumn>(actual[c]).Values.ToArray().ToList());
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected column type {expected[c].GetType().Name}.");
            }
        }
    }

    [Theory]
    [InlineData("\n", 64)]
    [InlineData("\r\n", 64)]
    [InlineData("\n", 1)]
    [InlineData("\n", 1000)]
    public void Small_chunks_in_parallel_give_the_same_table_as_one_sequential_chunk(string newline, int chunkSize)
    {
        var csv = GenerateCsv(3000, newline, seed: chunkSize);
        var parallel = CsvReadOptions.Default with { ChunkSize = chunkSize, MaxDegreeOfParallelism = 4 };

        var expected = CsvReader.ParseString(csv, Sequential);
        var actual = CsvReader.ParseString(csv, parallel);

        Assert.Equal(3000, expected.RowCount);
        Assert.IsType<CategoricalColumn>(expected["late"]);
        Assert.IsType<TextColumn>(expected["note"]);
        Assert.IsType<CategoricalColumn>(expected["color"]);
        Assert.Equal(3000, expected.GetColumn<Float64Column>("id").Values.ToArray().Distinct().Count());
        AssertSame(expected, actual);
    }

    [Fact]
    public void Reading_a_mapped_file_matches_parsing_a_string()
    {
        var csv = GenerateCsv(2000, "\n", seed: 7);
        using var file = new TempCsvFile(csv);

        var fromFile = CsvReader.ReadFile(file.Path, CsvReadOptions.Default with { ChunkSize = 4096 });

        AssertSame(CsvReader.ParseString(csv, Sequential), fromFile);
    }

    [Fact]
    public void Chunks_released_after_counting_and_parsing_read_back_the_same()
    {
        // chunks of several pages: each is released from the process once counted and once parsed, and text columns are
        // settled afterwards from the same (released, so re-read) bytes
        var csv = GenerateCsv(20_000, "\n", seed: 8);
        using var file = new TempCsvFile(csv);

        var fromFile = CsvReader.ReadFile(file.Path, CsvReadOptions.Default with { ChunkSize = 3 * Environment.SystemPageSize });

        AssertSame(CsvReader.ParseString(csv, Sequential), fromFile);
    }

    [Fact]
    public void Category_codes_do_not_depend_on_chunking()
    {
        var csv = "g\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"v{(i * 7) % 13}\n"));

        var a = CsvReader.ParseString(csv, Sequential).GetColumn<CategoricalColumn>("g");
        var b = CsvReader.ParseString(csv, CsvReadOptions.Default with { ChunkSize = 10 }).GetColumn<CategoricalColumn>("g");

        Assert.Equal(a.Categories.Order(StringComparer.Ordinal), a.Categories);
        Assert.Equal(a.Codes.ToArray(), b.Codes.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_tables_survive_a_write_and_a_chunked_parallel_read(int seed)
    {
        var random = new Random(seed);
        const string alphabet = "ab,\"\n\r é;";
        const int rows = 2000;
        var texts = new string?[rows];
        var numbers = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            var length = random.Next(-1, 9);
            texts[i] = length <= 0 ? null : new string([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            numbers[i] = random.Next(8) == 0 ? double.NaN : BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsFinite(d) ? d : 0.5;
        }
        var table = new Table([new TextColumn("t", texts), new Float64Column("n", numbers)]);
        var options = CsvReadOptions.Default with
        {
            ChunkSize = 1 + random.Next(200),
            MaxDegreeOfParallelism = 3,
            ColumnTypes = new Dictionary<string, ColumnKind> { ["t"] = ColumnKind.Text },
        };

        var read = CsvReader.ParseString(CsvWriter.WriteToString(table), options);

        Assert.Equal(texts.ToList(), read.GetColumn<TextColumn>("t").Values.ToArray().ToList());
        Assert.Equal(numbers, read.GetColumn<Float64Column>("n").Values.ToArray());
    }

    [Theory]
    [InlineData(50)]
    [InlineData(int.MaxValue)]
    public void A_column_of_numbers_that_turns_into_many_distinct_strings_is_text(int chunkSize)
    {
        var values = Enumerable.Range(0, 3000).Select(i => i < 1000 ? $"{i}.0" : i % 97 == 0 ? "NA" : $"id-{i}").ToList();
        var csv = "v,k\n" + string.Concat(values.Select((v, i) => $"{v},{i % 3}\n"));

        var table = CsvReader.ParseString(csv, CsvReadOptions.Default with { ChunkSize = chunkSize, MaxDegreeOfParallelism = 3 });

        var expected = values.Select(v => v == "NA" ? null : v).ToList();
        Assert.Equal(expected, table.GetColumn<TextColumn>("v").Values.ToArray().ToList());
        Assert.Equal(3000, table.GetColumn<Float64Column>("k").Length);
    }
}
