using Kiln.Core.Errors;
using Kiln.Engine.Tables;
using Kiln.Tabular.Columns;
using Kiln.Testing;
using Parquet;
using Parquet.Schema;

namespace Kiln.Engine.Tests.Tables;

/// <summary>Parquet files (written by Parquet.Net itself) read into Kiln's table as the CSV reader would type them.</summary>
public sealed class ParquetTableReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Numbers_of_every_width_strings_booleans_and_dates_are_read_with_nulls_missing()
    {
        var path = Path.Combine(_dir.Path, "loans.parquet");
        var fields = new DataField[]
        {
            new DataField<int>("id"), new DataField<double?>("income"), new DataField<long?>("months"), new DataField<float>("rate"),
            new DataField<string>("grade"), new DataField<bool>("secured"), new DataField<DateTime>("opened"), new DataField<decimal>("fee"),
        };
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            // two row groups: the reader concatenates them
            foreach (var offset in new[] { 0, 3 })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<int>(fields[0], new[] { offset, offset + 1, offset + 2 }.AsMemory());
                await group.WriteAsync<double>(fields[1], new double?[] { 1.5, null, 3 }.AsMemory());
                await group.WriteAsync<long>(fields[2], new long?[] { 12, 24, null }.AsMemory());
                await group.WriteAsync<float>(fields[3], new float[] { 0.25f, 0.5f, 1 }.AsMemory());
                await group.WriteAsync(fields[4], new[] { "A", null, "B" });
                await group.WriteAsync<bool>(fields[5], new[] { true, false, true }.AsMemory());
                await group.WriteAsync<DateTime>(fields[6], Enumerable.Repeat(new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc), 3).ToArray().AsMemory());
                await group.WriteAsync<decimal>(fields[7], new[] { 1.25m, 2m, 0m }.AsMemory());
            }
        }
        var table = ParquetTableReader.Read(path);
        Assert.Equal(6, table.RowCount);
        Assert.Equal(["id", "income", "months", "rate", "grade", "secured", "opened", "fee"], table.ColumnNames);
        Assert.Equal(5.0, table.GetColumn<NumericColumn>("id").GetValue(5));
        Assert.True(double.IsNaN(table.GetColumn<NumericColumn>("income").GetValue(1)));
        Assert.Equal(24.0, table.GetColumn<NumericColumn>("months").GetValue(4));
        Assert.Equal(0.25, table.GetColumn<NumericColumn>("rate").GetValue(0));
        var grade = table.GetColumn<CategoricalColumn>("grade");
        Assert.Equal(("A", (string?)null), (grade[0], grade[1]));
        Assert.Equal("true", table.GetColumn<CategoricalColumn>("secured")[0]);
        Assert.StartsWith("2026-01-02T00:00:00", table["opened"].FormatValue(0));
        Assert.Equal(1.25, table.GetColumn<NumericColumn>("fee").GetValue(0));

        // a kind can be forced, as CsvReadOptions.ColumnTypes does for CSV
        Assert.Equal(ColumnKind.Categorical, ParquetTableReader.Read(path, new Dictionary<string, ColumnKind> { ["id"] = ColumnKind.Categorical })["id"].Kind);
    }

    [Fact]
    public async Task A_table_written_by_Kiln_reads_back_the_same()
    {
        var csv = Path.Combine(_dir.Path, "t.csv");
        File.WriteAllText(csv, "x,region,note\n1.5,north,a\n,south,\n3,north,c\n");
        var table = Kiln.Tabular.Csv.CsvReader.ReadFile(csv);
        var path = Path.Combine(_dir.Path, "t.parquet");
        await ParquetTableWriter.WriteAsync(table, path);
        var back = ParquetTableReader.Read(path);
        Assert.Equal(table.ColumnNames, back.ColumnNames);
        for (var c = 0; c < table.ColumnCount; c++)
        {
            Assert.Equal(Enumerable.Range(0, 3).Select(table[c].FormatValue), Enumerable.Range(0, 3).Select(back[c].FormatValue));
        }
    }

    [Fact]
    public void A_corrupt_or_missing_file_is_a_clear_error()
    {
        var path = Path.Combine(_dir.Path, "bad.parquet");
        File.WriteAllText(path, "PAR1 this is not parquet at all");
        var e = Assert.ThrowsAny<KilnException>(() => ParquetTableReader.Read(path));
        Assert.Contains("bad.parquet", e.Message);
        Assert.Contains("Parquet", e.Message);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, Assert.ThrowsAny<KilnException>(() => ParquetTableReader.Read(Path.Combine(_dir.Path, "none.parquet"))).Code);
    }
}
