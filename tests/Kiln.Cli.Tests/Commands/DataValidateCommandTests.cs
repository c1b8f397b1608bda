using System.Globalization;
using Kiln.Engine.Tables;

namespace Kiln.Cli.Tests.Commands;

/// <summary>
/// The newcomer's path with a Parquet file: version it, edit it, version it again, diff, validate the new version against
/// the old (the shifted column flagged, the others not; exit 4 and an HTML report), tag, train from
/// <c>datasets:/loans@latest</c>, follow lineage, collect garbage.
/// </summary>
public sealed class DataValidateCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string> ParquetAsync(string name, double debtShift)
    {
        var csv = Kiln.Testing.LoanData.Write(_cli.Home, name + ".csv", 600, 4);
        var lines = (await File.ReadAllLinesAsync(csv)).ToList();
        for (var i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            cells[1] = (double.Parse(cells[1], CultureInfo.InvariantCulture) + debtShift).ToString("F4", CultureInfo.InvariantCulture);
            lines[i] = string.Join(',', cells);
        }
        await File.WriteAllLinesAsync(csv, lines);
        var folder = Path.Combine(_cli.Home, name);
        Directory.CreateDirectory(folder);
        var parquet = Path.Combine(folder, "loans.parquet");
        await ParquetTableWriter.WriteAsync(Kiln.Tabular.Csv.CsvReader.ReadFile(csv), parquet);
        return parquet;
    }

    [Fact]
    public async Task A_parquet_dataset_is_versioned_diffed_validated_trained_on_and_traced()
    {
        var (exit, output, err) = await _cli.RunAsync("data", "add", "loans", await ParquetAsync("v1", 0), "-m", "january", "--tag", "source=crm");
        Assert.True(exit == 0, err);
        (exit, _, err) = await _cli.RunAsync("data", "add", "loans", await ParquetAsync("v2", 0.6), "-m", "debt up");
        Assert.True(exit == 0, err);
        (_, output, _) = await _cli.RunAsync("data", "versions", "loans", "--output", "csv");
        var rows = output.Trim().Split('\n');
        var (newer, older) = (rows[1].Split(',')[0], rows[2].Split(',')[0]);
        Assert.EndsWith("source=crm", rows[2].Trim());

        (exit, output, err) = await _cli.RunAsync("data", "stats", "loans", "--output", "csv");
        Assert.True(exit == 0, err);
        Assert.Contains("loans.parquet,debt,Numeric,600,0,", output);

        (exit, output, err) = await _cli.RunAsync("data", "diff", "loans", older, newer);
        Assert.True(exit == 0, err);
        Assert.Contains("1 column(s) with changed statistics", output);
        Assert.Matches(@"debt\s*\|\s*changed", output);

        var report = Path.Combine(_cli.Home, "report.html");
        (exit, output, err) = await _cli.RunAsync("data", "validate", "loans", "latest", "--against", older, "--report", report);
        Assert.Equal(4, exit);
        Assert.Contains("failed", output);
        Assert.Matches(@"error\s*\|\s*distribution_shift\s*\|\s*debt", output);
        Assert.DoesNotMatch(@"distribution_shift\s*\|\s*(income|region|approved)\b", output);
        Assert.Contains("inferred from", err);
        Assert.Contains("<svg", await File.ReadAllTextAsync(report));

        (exit, output, _) = await _cli.RunAsync("data", "validate", "loans", older, "--against", older, "--output", "json");
        Assert.Equal(0, exit);
        Assert.Contains("\"anomalies\": []", output);
        (_, output, _) = await _cli.RunAsync("data", "validations", "loans", "--output", "csv");
        Assert.Equal(3, output.Trim().Split('\n').Length); // header + two stored validations

        // the saved schema can be shown, edited and saved again
        (exit, output, _) = await _cli.RunAsync("data", "schema", "show", "loans");
        Assert.Equal(0, exit);
        var schemaFile = Path.Combine(_cli.Home, "schema.yaml");
        await File.WriteAllTextAsync(schemaFile, output.Replace("threshold: 0.1", "threshold: 0.9", StringComparison.Ordinal));
        (exit, _, err) = await _cli.RunAsync("data", "schema", "save", "loans", schemaFile);
        Assert.True(exit == 0, err);
        (exit, _, _) = await _cli.RunAsync("data", "validate", "loans", "latest", "--against", older);
        Assert.Equal(0, exit); // the tolerance was raised
        await File.WriteAllTextAsync(schemaFile, "columns:\n  debt:\n    type: numbr\n");
        (exit, _, err) = await _cli.RunAsync("data", "schema", "save", "loans", schemaFile);
        Assert.Equal(1, exit);
        Assert.Contains("type is 'numbr'", err);

        (exit, _, err) = await _cli.RunAsync("data", "tag", "loans", "latest", "stage=approved");
        Assert.True(exit == 0, err);
        (_, output, _) = await _cli.RunAsync("data", "versions", "loans", "--output", "csv");
        Assert.EndsWith("stage=approved", output.Trim().Split('\n')[1].Trim());

        (exit, output, err) = await _cli.RunAsync("train", "--data", "datasets:/loans@latest", "--target", "approved", "--param", "rounds=5");
        Assert.True(exit == 0, err);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
        (_, output, _) = await _cli.RunAsync("data", "lineage", "loans", "--output", "csv");
        Assert.Contains($"{runId},", output);

        (exit, output, err) = await _cli.RunAsync("data", "gc", "--dry-run");
        Assert.True(exit == 0, err);
        Assert.Contains("Would delete 0 unreferenced object(s)", output);
    }
}
