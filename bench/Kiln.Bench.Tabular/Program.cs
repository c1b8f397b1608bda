using System.Diagnostics;
using System.Globalization;
using Kiln.Tabular.Csv;

// Times CsvReader.ReadFile against pandas.read_csv on the same file in the same run; compare the ratio, not absolute times.
// Usage: dotnet run -c Release --project bench/Kiln.Bench.Tabular -- [csv path] [repetitions] [--no-pandas]
var path = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "/work/scratch/benchdata/train_1m.csv";
var repetitions = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var r) ? r : 5;
var runPandas = !args.Contains("--no-pandas");
if (!File.Exists(path))
{
    Console.Error.WriteLine($"{path} does not exist; generate it with /usr/bin/python3 /work/shared/bench/make_data.py /work/scratch/benchdata --only 1m");
    return 1;
}

Console.WriteLine($"file: {path} ({new FileInfo(path).Length / 1e6:F0} MB), {Environment.ProcessorCount} processors, {repetitions} loads each");
var firstLoad = Stopwatch.StartNew();
var warmup = CsvReader.ReadFile(path);
firstLoad.Stop();
Console.WriteLine($"table: {warmup.RowCount:N0} rows x {warmup.ColumnCount} columns; kinds: {Kinds(warmup)}");
Console.WriteLine($"first load in a fresh process (includes JIT): {firstLoad.Elapsed.TotalSeconds:F3} s");
warmup = null;

var kilnSeconds = new List<double>();
for (var i = 0; i < repetitions; i++)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var stopwatch = Stopwatch.StartNew();
    var table = CsvReader.ReadFile(path);
    stopwatch.Stop();
    kilnSeconds.Add(stopwatch.Elapsed.TotalSeconds);
    GC.KeepAlive(table);
}
var kiln = Median(kilnSeconds);
Console.WriteLine($"Kiln CsvReader.ReadFile: median {kiln:F3} s  (runs: {string.Join(", ", kilnSeconds.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))})");

if (runPandas)
{
    var pandas = PandasMedian(path, repetitions);
    Console.WriteLine($"pandas.read_csv:         median {pandas:F3} s");
    Console.WriteLine($"ratio (pandas / Kiln):   {pandas / kiln:F2}x");
}
return 0;

static string Kinds(Kiln.Tabular.Table table) =>
    string.Join(", ", table.Columns.GroupBy(c => c.Kind).Select(g => $"{g.Count()} {g.Key}"));

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static double PandasMedian(string path, int repetitions)
{
    var script = string.Join(
        "\n",
        "import sys, time, statistics, pandas",
        "ts = []",
        $"for _ in range({repetitions}):",
        "    t = time.perf_counter(); df = pandas.read_csv(sys.argv[1]); ts.append(time.perf_counter() - t); del df",
        "print(statistics.median(ts))");
    var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
    start.ArgumentList.Add("-c");
    start.ArgumentList.Add(script);
    start.ArgumentList.Add(path);
    using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"pandas timing failed with exit code {process.ExitCode}.");
    }
    return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
}
