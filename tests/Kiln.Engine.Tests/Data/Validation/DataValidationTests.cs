using System.Globalization;
using System.Text;
using Kiln.Core.Errors;
using Kiln.Engine.Data;
using Kiln.Engine.Data.Validation;
using Kiln.Engine.Tables;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Data.Validation;

/// <summary>Schemas and validation on a real store: a deliberately shifted column is flagged and untouched ones are not; each anomaly type names its column and evidence.</summary>
public sealed class DataValidationTests : KilnHostTest
{
    private DataService Data => Host.Get<DataService>();

    /// <summary>Loan applications; <paramref name="incomeShift"/> moves income only (every other column keeps its values).</summary>
    private string Loans(string name, int rows, double incomeShift = 0, Func<int, string>? grade = null, int seed = 1)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("id,income,age,grade\n");
        for (var i = 0; i < rows; i++)
        {
            var income = 50_000 + (random.NextDouble() * 40_000) + incomeShift;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{income:0.00},{21 + random.Next(50)},{grade?.Invoke(i) ?? "ABCD"[random.Next(4)].ToString()}\n");
        }
        var folder = Path.Combine(Dir, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "loans.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task A_shifted_column_is_flagged_and_untouched_ones_are_not_and_the_result_is_stored()
    {
        var (before, _, _) = await Data.AddAsync("loans", Loans("v1", 3000), "first", "me");
        var (after, _, _) = await Data.AddAsync("loans", Loans("v2", 3000, incomeShift: 25_000), "income up", "me");

        var (result, note) = await Data.ValidateAsync(after, before, null, "me");
        Assert.Contains("inferred", note);
        var anomaly = Assert.Single(result.Anomalies);
        Assert.Equal(("error", "distribution_shift", "income"), (anomaly.Severity, anomaly.Type, anomaly.Column));
        Assert.Contains("Jensen-Shannon distance", anomaly.Description);
        Assert.False(result.Passed);
        var distances = result.Columns.ToDictionary(c => c.Column, c => c.Distribution.Distance);
        Assert.True(distances["income"] > 0.3);
        Assert.Equal(0, distances["age"]);
        Assert.Equal(0, distances["grade"]);

        // the same version against itself passes; both results are stored with the version
        var (same, _) = await Data.ValidateAsync(before, before, null, "me");
        Assert.True(same.Passed);
        var stored = await Data.ValidationsAsync("loans", after.VersionId);
        Assert.Equal(result.Id, Assert.Single(stored).Id);
        Assert.Equal(1, stored[0].Errors);
        Assert.Equal(result.Anomalies, ValidationResult.FromJson((await Data.GetValidationAsync(result.Id)).ResultJson).Anomalies);
        Assert.Single(await Data.SchemasAsync("loans")); // inferred once, saved, then reused

        // the HTML report is self-contained and charts every compared column
        var html = ValidationReport.Html(result);
        Assert.Contains("FAILED", html);
        Assert.Equal(4, html.Split("<svg").Length - 1);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task The_same_check_works_on_parquet_versions()
    {
        async Task<string> AsParquet(string csv)
        {
            var path = Path.ChangeExtension(csv, ".parquet");
            await ParquetTableWriter.WriteAsync(Kiln.Tabular.Csv.CsvReader.ReadFile(csv), path);
            File.Delete(csv);
            return path;
        }
        var (before, _, _) = await Data.AddAsync("pq", await AsParquet(Loans("p1", 2000)), null, "me");
        var (after, _, _) = await Data.AddAsync("pq", await AsParquet(Loans("p2", 2000, grade: i => i % 5 == 0 ? "A" : "D")), null, "me");
        Assert.Equal("loans.parquet", Assert.Single(await Data.ProfileAsync(after)).Path);
        var (result, _) = await Data.ValidateAsync(after, before, null, "me");
        Assert.Equal([("distribution_shift", "grade")], result.Anomalies.Select(a => (a.Type, a.Column)));
        Assert.Contains("L-infinity", result.Anomalies[0].Description);
    }

    [Fact]
    public async Task Every_rule_of_a_schema_is_checked_and_names_column_and_evidence()
    {
        var path = Path.Combine(Dir, "apps.csv");
        File.WriteAllText(path, """
            id,income,grade,email,extra
            1,100,A,a@x.org,1
            2,-5,B,b@x.org,1
            2,2000000,Z,not-an-email,1
            4,,A,d@x.org,1
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        var (version, _, _) = await Data.AddAsync("apps", path, null, "me");
        var schema = """
            rows:
              min: 10
            columns:
              id:
                type: numeric
                unique: true
              income:
                type: numeric
                min: 0
                max: 1000000
                max_missing: 0
              grade:
                type: categorical
                domain: [A, B, C]
              email:
                type: text
                pattern: '[^@]+@[^@]+'
              region:
                type: categorical
              age:
                type: numeric
                required: false
            """;
        var (result, _) = await Data.ValidateAsync(version, null, schema, "me");
        var found = result.Anomalies.Select(a => (a.Type, a.Column)).ToHashSet();
        Assert.Equal(new HashSet<(string, string?)>
        {
            ("row_count", null), ("duplicate_key", "id"), ("out_of_range", "income"), ("missing_share", "income"),
            ("unexpected_category", "grade"), ("pattern_mismatch", "email"), ("missing_column", "region"), ("new_column", "extra"),
        }, found);
        Assert.Equal(8, result.Errors); // income is out of range on both sides: two anomalies
        Assert.Equal(1, result.Warnings); // a new column is a warning by default
        var range = result.Anomalies.Where(a => a.Type == "out_of_range").Select(a => a.Description).ToList();
        Assert.Contains(range, d => d.Contains("below the minimum 0, the lowest -5", StringComparison.Ordinal));
        Assert.Contains(range, d => d.Contains("above the maximum 1,000,000, the highest 2,000,000", StringComparison.Ordinal));
        Assert.Contains("'Z' ×1", result.Anomalies.Single(a => a.Type == "unexpected_category").Description);
        Assert.Contains("'not-an-email'", result.Anomalies.Single(a => a.Type == "pattern_mismatch").Description);

        // a type change: a numeric column that now holds words
        File.WriteAllText(path, "id,income\n1,high\n2,low\n");
        var (changed, _, _) = await Data.AddAsync("apps", path, null, "me");
        var (typed, _) = await Data.ValidateAsync(changed, null, "columns:\n  income:\n    type: numeric\n", "me");
        var typeChange = Assert.Single(typed.Anomalies, a => a.Type == "type_change");
        Assert.Contains("expected numeric, read as text", typeChange.Description);
        Assert.Contains("'high'", typeChange.Description);
    }

    [Fact]
    public async Task An_invalid_schema_is_refused_with_its_line_and_nothing_is_saved()
    {
        var (version, _, _) = await Data.AddAsync("s", Loans("s1", 50), null, "me");
        var bad = await Assert.ThrowsAsync<KilnException>(() => Data.SaveSchemaAsync("s", "columns:\n  income:\n    type: numeric\n    maximum: 3\n", "me"));
        Assert.Contains("line 4", bad.Message);
        Assert.Contains("maximum", bad.Message);
        Assert.Contains("type is 'number'", (await Assert.ThrowsAsync<KilnException>(() => Data.SaveSchemaAsync("s", "columns:\n  a:\n    type: number\n", "me"))).Message);
        Assert.Contains("not a valid regular expression", (await Assert.ThrowsAsync<KilnException>(() => Data.SaveSchemaAsync("s", "columns:\n  a:\n    type: text\n    pattern: '(['\n", "me"))).Message);
        Assert.Empty(await Data.SchemasAsync("s"));
        Assert.Contains("no schema yet", (await Assert.ThrowsAsync<KilnException>(() => Data.ValidateAsync(version, null, null, "me"))).Message);

        // an inferred schema round-trips through YAML and is versioned by content
        var yaml = (await Data.InferSchemaAsync(version)).ToYaml();
        Assert.Contains("grade:", yaml);
        var first = await Data.SaveSchemaAsync("s", yaml, "me");
        var again = await Data.SaveSchemaAsync("s", yaml, "me");
        Assert.Equal(first.SchemaId, again.SchemaId);
        Assert.Single(await Data.SchemasAsync("s"));
        Assert.Equal(["A", "B", "C", "D"], DatasetSchema.Parse(yaml, "test").Columns["grade"].Domain);
    }

    [Fact]
    public async Task A_version_of_two_different_tables_validates_against_itself()
    {
        var folder = Path.Combine(Dir, "two");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "customers.csv"), "customer,region\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{(i % 2 == 0 ? "north" : "south")}\n")));
        File.WriteAllText(Path.Combine(folder, "orders.csv"), "order,amount\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{i * 1.5}\n")));
        var (version, _, _) = await Data.AddAsync("shop", folder, null, "me");
        var (result, _) = await Data.ValidateAsync(version, version, null, "me");
        Assert.True(result.Passed, string.Join("; ", result.Anomalies.Select(a => a.Description)));
        Assert.False(DatasetSchema.Parse((await Data.SchemasAsync("shop"))[0].Yaml, "t").Columns["region"].Required);
    }

    [Fact]
    public async Task Tags_are_set_listed_and_deleted()
    {
        var (version, _, _) = await Data.AddAsync("t", Loans("t1", 20), null, "me");
        await Data.TagAsync("t", "latest", "stage", "approved");
        await Data.TagAsync("t", version.VersionId, "stage", "production");
        Assert.Equal("production", (await Data.GetVersionAsync("t", "latest")).Tags["stage"]);
        await Data.UntagAsync("t", version.VersionId, "stage");
        Assert.Empty((await Data.GetVersionAsync("t", "latest")).Tags);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Data.UntagAsync("t", "latest", "stage"))).Code);
        Assert.Contains("Invalid tag key", (await Assert.ThrowsAsync<KilnException>(() => Data.TagAsync("t", "latest", " ", "x"))).Message);
    }

    [Fact]
    public async Task Gc_deletes_only_old_unreferenced_objects()
    {
        var (version, _, _) = await Data.AddAsync("g", Loans("g1", 20), null, "me");
        var objects = Path.Combine(Artifacts.Root, "objects");
        // an orphan written long ago (an add that never recorded its version) and one just written (an add in progress)
        var old = Path.Combine(objects, "blake3", "00", new string('1', 62));
        var recent = Path.Combine(objects, "blake3", "00", new string('2', 62));
        Directory.CreateDirectory(Path.GetDirectoryName(old)!);
        File.WriteAllText(old, "orphan");
        File.WriteAllText(recent, "in flight");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-3));
        // the version's own objects are old too: referenced, they stay
        foreach (var file in Directory.GetFiles(objects, "*", SearchOption.AllDirectories).Where(f => f != recent))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-3));
        }

        var dry = await Data.CollectGarbageAsync(TimeSpan.FromHours(1), dryRun: true);
        Assert.Equal((4, 2, 1, 1), (dry.Objects, dry.Referenced, dry.Deleted, dry.Recent));
        Assert.True(File.Exists(old));
        var report = await Data.CollectGarbageAsync(TimeSpan.FromHours(1), dryRun: false);
        Assert.Equal(1, report.Deleted);
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
        Assert.Equal(1, await Data.GetAsync(version, Path.Combine(Dir, "out"))); // every referenced object is intact

        // adding content that is already stored marks it used again, so a collection running meanwhile spares it
        var entry = Assert.Single(await Data.FilesAsync(version));
        var objectFile = Path.Combine(Artifacts.Root, ContentHash.ObjectPath(entry.Hash));
        File.SetLastWriteTimeUtc(objectFile, DateTime.UtcNow.AddHours(-3));
        await Data.AddAsync("g-copy", Loans("g1", 20), null, "me");
        Assert.True(File.GetLastWriteTimeUtc(objectFile) > DateTime.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task A_ragged_csv_a_corrupt_parquet_or_an_empty_file_stores_nothing()
    {
        var folder = Path.Combine(Dir, "bad");
        Directory.CreateDirectory(folder);
        var ragged = Path.Combine(folder, "r.csv");
        File.WriteAllText(ragged, "a,b\n1,2\n3\n");
        Assert.Contains("r.csv", (await Assert.ThrowsAnyAsync<KilnException>(() => Data.AddAsync("bad", ragged, null, "me"))).Message);
        var parquet = Path.Combine(folder, "c.parquet");
        File.WriteAllBytes(parquet, [.. "PAR1"u8, 1, 2, 3, .. "PAR1"u8]);
        Assert.Contains("Parquet", (await Assert.ThrowsAsync<KilnException>(() => Data.AddAsync("bad", parquet, null, "me"))).Message);
        var empty = Path.Combine(folder, "e.csv");
        File.WriteAllText(empty, "");
        Assert.Contains("is empty", (await Assert.ThrowsAsync<KilnException>(() => Data.AddAsync("bad", empty, null, "me"))).Message);
        Assert.False(Directory.Exists(Path.Combine(Artifacts.Root, "objects")));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Data.VersionsAsync("bad"))).Code);
    }
}
