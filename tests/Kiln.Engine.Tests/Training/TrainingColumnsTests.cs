using Kiln.Core.Errors;
using Kiln.Engine.Training;
using Kiln.Tabular;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Tests.Training;

/// <summary>Column choices and the checks made before a run exists: errors name the flag or the file at fault.</summary>
public sealed class TrainingColumnsTests
{
    private static readonly Table Train = CsvReader.ParseString("id,income,region,notes,approved\n0,0.1,n,a,1\n1,0.5,s,b,0\n2,0.9,n,c,1\n3,0.3,s,d,0\n");

    private static TrainRequest Request(IReadOnlyList<string>? features = null, IReadOnlyList<string>? drop = null) =>
        new("train.csv", "approved", "gbdt", new Dictionary<string, string>(), "valid.csv", Features: features, Drop: drop);

    [Fact]
    public void Features_and_drop_choose_the_columns_and_the_target_stays()
    {
        var chosen = TrainingColumns.Prepare(Request(features: ["income"]), Train, null);
        Assert.Equal(["income", "approved"], chosen.Train.ColumnNames);
        var dropped = TrainingColumns.Prepare(Request(drop: ["id", "notes"]), Train, null);
        Assert.Equal(["income", "region", "approved"], dropped.Train.ColumnNames);
        Assert.Contains("--drop", Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(drop: ["approved"]), Train, null)).Message);
        Assert.Contains("'salary'", Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(features: ["salary"]), Train, null)).Message);
        Assert.Contains("not both", Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(["income"], ["id"]), Train, null)).Message);
    }

    [Fact]
    public void Identifiers_are_refused_or_warned_about_with_the_drop_to_use()
    {
        var text = Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(drop: ["id"]), Train, null));
        Assert.Contains("--drop notes", text.Message);
        var counter = TrainingColumns.Prepare(Request(drop: ["notes"]), Train, null);
        Assert.Contains(counter.Warnings, w => w.Contains("'id'") && w.Contains("--drop id"));
    }

    [Fact]
    public void Validation_file_errors_say_they_are_about_the_validation_file()
    {
        var noRegion = CsvReader.ParseString("income,approved\n0.2,1\n0.7,0\n");
        var e = Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(features: ["income", "region"]), Train, noRegion));
        Assert.Contains("validation file valid.csv (--valid)", e.Message);
        Assert.Contains("'region'", e.Message);
        var textIncome = CsvReader.ParseString("income,region,approved\nhigh,n,1\nlow,s,0\n");
        var kind = Assert.Throws<KilnException>(() => TrainingColumns.Prepare(Request(features: ["income", "region"]), Train, textIncome));
        Assert.Contains("--valid", kind.Message);
        Assert.Contains("'income'", kind.Message);
        var ok = TrainingColumns.Prepare(Request(features: ["income"]), Train, CsvReader.ParseString("extra,income,approved\nx,0.2,1\ny,0.7,0\n"));
        Assert.Equal(["income", "approved"], ok.Valid!.ColumnNames);
    }

    [Fact]
    public void A_column_numeric_but_for_a_few_tokens_is_named_with_the_na_values_to_pass()
    {
        var csv = "income,approved\n" + string.Join("\n", Enumerable.Range(0, 100).Select(i => $"{(i % 25 == 0 ? "unknown" : (i / 100.0).ToString(System.Globalization.CultureInfo.InvariantCulture))},{i % 2}")) + "\n";
        var request = Request(features: ["income"]) with { ValidPath = null };
        var read = CsvReader.ParseString(csv, request.CsvOptions);
        var warned = TrainingColumns.Prepare(request, read, null);
        var warning = Assert.Single(warned.Warnings);
        Assert.Contains("'income' is numeric except for 'unknown' (4 rows)", warning);
        Assert.Contains("--na-values unknown", warning);

        var fixedRequest = request with { NaValues = ["unknown"] };
        var reread = CsvReader.ParseString(csv, fixedRequest.CsvOptions);
        Assert.IsAssignableFrom<Kiln.Tabular.Columns.NumericColumn>(reread["income"]);
        Assert.Empty(TrainingColumns.Prepare(fixedRequest, reread, null).Warnings);
        Assert.Throws<KilnException>(() => Kiln.Engine.Training.ReadOptions.WithMissing(["caf\u00e9"]));
    }

    [Theory]
    [InlineData("latin1")]
    [InlineData("windows-1252")]
    public void Files_in_latin1_or_windows_1252_read_with_encoding_keep_their_categories_apart(string encoding)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kiln-enc-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes("city,n\ncaf\u00e9,1\ncaf\u00e8,2\ncaf\u00e9,3\n"));
            Assert.Throws<CsvFormatException>(() => Kiln.Engine.Training.ReadOptions.ReadCsv(path, CsvReadOptions.Default, null, default));
            var table = Kiln.Engine.Training.ReadOptions.ReadCsv(path, CsvReadOptions.Default, encoding, default);
            var city = table["city"];
            Assert.Equal(["caf\u00e8", "caf\u00e9"], Enumerable.Range(0, city.Length).Select(r => city.FormatValue(r)!).Distinct().Order(StringComparer.Ordinal));
            Assert.Contains("--encoding", Assert.Throws<KilnException>(() => Kiln.Engine.Training.ReadOptions.ReadCsv(path, CsvReadOptions.Default, "ebcdic", default)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
