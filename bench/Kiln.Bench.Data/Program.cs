using System.Diagnostics;
using System.Globalization;
using Kiln.Engine.Data;
using Kiln.Engine.Tables;
using Kiln.Hosting;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;
using Kiln.Tabular.Statistics;

// Dataset statistics and validation on the 1M-row benchmark CSV, in process (median of ROUNDS after one warm-up):
// schema + statistics of the CSV (read + profile), of the same table as Parquet, and `validate` of a version whose f00
// is shifted against the original version (read, profile, every rule, drift per column; the result stored).
// Usage: dotnet run -c Release --project bench/Kiln.Bench.Data -- /path/to/train_1m.csv [ROUNDS=5]
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("Usage: Kiln.Bench.Data CSV [ROUNDS]");
    return 2;
}
var csv = args[0];
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var work = Directory.CreateTempSubdirectory("kiln-data-bench-").FullName;
try
{
    double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    async Task<List<double>> TimeAsync(Func<Task> action)
    {
        var first = Stopwatch.StartNew();
        await action(); // warm-up: JIT, page cache
        Console.WriteLine($"  (first, cold: {first.Elapsed.TotalSeconds:0.000} s)");
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        return times;
    }
    void Report(string what, List<double> times, string target) =>
        Console.WriteLine($"{what}: median {Median(times):0.000} s (runs {string.Join(", ", times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}); target {target}");

    var parquet = Path.Combine(work, "train_1m.parquet");
    await ParquetTableWriter.WriteAsync(CsvReader.ReadFile(csv), parquet);
    var loaded = CsvReader.ReadFile(csv);
    Report("  CSV read only", await TimeAsync(() => Task.Run(() => CsvReader.ReadFile(csv))), "-");
    Report("  Parquet read only", await TimeAsync(() => Task.Run(() => TableFiles.Read(parquet))), "-");
    Report("  profile only (table in memory)", await TimeAsync(() => Task.Run(() => TableProfile.Compute(loaded))), "-");
    if (Environment.GetEnvironmentVariable("KILN_BENCH_COLUMNS") == "1")
    {
        foreach (var column in loaded.Columns)
        {
            ColumnProfile.Compute(column);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 5; i++)
            {
                ColumnProfile.Compute(column);
            }
            Console.WriteLine($"    {column.Name}: {watch.Elapsed.TotalMilliseconds / 5:0.0} ms");
        }
    }
    Report("CSV schema + statistics", await TimeAsync(() => Task.Run(() => TableProfile.Compute(TableFiles.Read(csv)))), "<= 1.5 s");
    Report("Parquet schema + statistics", await TimeAsync(() => Task.Run(() => TableProfile.Compute(TableFiles.Read(parquet)))), "<= 1.0 s");

    // the reference version and a version whose f00 moved by half a unit, everything else equal
    var table = CsvReader.ReadFile(csv);
    var f00 = table.GetColumn<NumericColumn>("f00");
    var shifted = new Float64Column("f00", [.. Enumerable.Range(0, f00.Length).Select(i => f00.GetValue(i) + 0.5)]);
    var moved = Path.Combine(work, "moved", "train_1m.csv");
    Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
    CsvWriter.WriteFile(new Table(table.Columns.Select(c => c.Name == "f00" ? shifted : c)), moved);
    var home = Path.Combine(work, "home");
    await using var kiln = await KilnHost.OpenAsync(KilnSettings.Resolve("sqlite:///" + Path.Combine(home, "kiln.db"), Path.Combine(home, "artifacts"), home));
    var data = kiln.Get<DataService>();
    var (reference, _, _) = await data.AddAsync("bench", csv, "reference", "bench");
    var (current, _, _) = await data.AddAsync("bench", moved, "f00 moved", "bench");
    string? flagged = null;
    Report("validate against the reference", await TimeAsync(async () =>
    {
        var (result, _) = await data.ValidateAsync(current, reference, null, "bench");
        flagged = string.Join(", ", result.Anomalies.Select(a => $"{a.Type}:{a.Column}"));
    }), "<= 2 s");
    Console.WriteLine($"anomalies: {flagged}");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}
