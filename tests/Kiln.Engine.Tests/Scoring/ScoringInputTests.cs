using Kiln.Core.Errors;
using Kiln.Engine.Scoring;
using Kiln.Learn;
using Kiln.Learn.Gbdt;
using Kiln.Tabular.Csv;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Scoring;

/// <summary>Rows to score are read as the model's schema says, for any number of rows; other columns pass through as written.</summary>
public sealed class ScoringInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private TrainedModel Train()
    {
        var table = CsvReader.ReadFile(LoanData.Write(_dir.Path, "train.csv", 600, 1));
        return new GbdtLearner().Fit(table, "approved", new GbdtOptions { Rounds = 10 });
    }

    private string Write(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Few_rows_score_with_the_models_types_and_pass_through_columns_keep_their_text(int rows)
    {
        var model = Train();
        var lines = Enumerable.Range(0, rows).Select(i => $"{(i % 2 == 0 ? "02100" : "1e3")},0.{i + 1},0.2,{(i % 2 == 0 ? "north" : "west")}");
        var path = Write("few.csv", "zip,income,debt,region\n" + string.Join("\n", lines) + "\n");
        var input = ScoringInput.ReadCsv(path, model.Schema);
        Assert.Equal(rows, input.RowCount);
        var scored = BatchScorer.Score(new Kiln.Engine.Flavors.KilnPredictor(model), input);
        var output = _dir.File("out.csv");
        CsvWriter.WriteFile(scored, output);
        var written = File.ReadAllLines(output);
        Assert.StartsWith("zip,income,debt,region,probability,predicted_approved", written[0]);
        Assert.StartsWith("02100,", written[1]);
        if (rows > 1)
        {
            Assert.StartsWith("1e3,", written[2]);
        }
        // "west" was never seen in training: it scores as missing, not as an error.
        Assert.All(written.Skip(1), line => Assert.True(double.TryParse(line.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1));
    }

    [Fact]
    public void A_one_row_file_scores_as_the_same_row_in_a_big_file()
    {
        var model = Train();
        var big = CsvReader.ReadFile(LoanData.Write(_dir.Path, "big.csv", 50, 2));
        var expected = model.Predict(big);
        var firstLine = File.ReadAllLines(_dir.File("big.csv"))[..2];
        var one = ScoringInput.ReadCsv(Write("one.csv", string.Join("\n", firstLine) + "\n"), model.Schema);
        Assert.Equal(expected[0], model.Predict(one)[0]);
    }

    [Fact]
    public void A_missing_feature_and_a_bad_number_name_themselves()
    {
        var model = Train();
        var missing = Assert.Throws<KilnException>(() => ScoringInput.ReadCsv(Write("m.csv", "income,region\n0.1,north\n"), model.Schema));
        Assert.Contains("'debt'", missing.Message);
        Assert.Contains("m.csv", missing.Message);
        var bad = Assert.Throws<CsvFormatException>(() => ScoringInput.ReadCsv(Write("b.csv", "income,debt,region\n0.1,0.2,north\nlots,0.3,south\n"), model.Schema));
        Assert.Equal(3, bad.LineNumber);
        Assert.Equal("income", bad.ColumnName);
        Assert.Contains("'lots'", bad.Message);
        Assert.Contains("b.csv", bad.Message);
    }

    [Fact]
    public void Bad_values_can_be_scored_as_missing_and_are_counted()
    {
        var model = Train();
        var path = Write("bad.csv", "income,debt,region\n0.1,0.2,north\nlots,0.3,south\n0.5,none,north\n");
        var read = ScoringInput.Read(path, model.Schema, new ScoringReadOptions(BadValuesAsMissing: true));
        Assert.Equal(2, read.BadValues);
        Assert.Equal(3, read.Table.RowCount);
        Assert.True(read.Table["income"].IsMissing(1));
        Assert.Equal(0.5, ((Kiln.Tabular.Columns.NumericColumn)read.Table["income"]).GetValue(2));
        Assert.Equal(3, model.Predict(read.Table).Length / model.OutputCount);
        Assert.Throws<CsvFormatException>(() => ScoringInput.Read(path, model.Schema, new ScoringReadOptions()));
    }
}
