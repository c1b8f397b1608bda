using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiln.Learn;
using Kiln.Learn.Linear;
using Kiln.Tabular.Csv;

// Fit time of Kiln's linear learner (ridge / lasso / elastic net) on one CSV, for bench/accuracy.sh.
// Usage: Kiln.Bench.Linear TRAIN.csv [target=target] [alpha=0.05] [l1_ratio=0.5] [repeats=7] [threads=2]
// Loads the file once, fits `repeats` times (after one warm-up fit) and prints one JSON line: the median, min and max
// fit seconds, the sweeps and whether the fit converged. A fit includes everything LinearLearner.Fit does: checking the
// table, standardising and one-hot encoding, the Gram matrix and the coordinate-descent sweeps.
if (args.Length < 1)
{
    Console.Error.WriteLine("Usage: Kiln.Bench.Linear TRAIN.csv [target] [alpha] [l1_ratio] [repeats] [threads]");
    return 2;
}
var path = args[0];
var target = args.Length > 1 ? args[1] : "target";
var alpha = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.05;
var l1Ratio = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.5;
var repeats = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 7;
var threads = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 2;

var clock = Stopwatch.StartNew();
var table = CsvReader.ReadFile(path);
var load = clock.Elapsed.TotalSeconds;
var options = new LinearOptions { Alpha = alpha, L1Ratio = l1Ratio, Threads = threads };
var learner = new LinearLearner();
TrainedModel model = learner.Fit(table, target, options); // warm-up: JIT and first-touch allocations
var seconds = new List<double>();
for (var i = 0; i < repeats; i++)
{
    GC.Collect();
    clock.Restart();
    model = learner.Fit(table, target, options);
    seconds.Add(clock.Elapsed.TotalSeconds);
}
seconds.Sort();
var result = new Dictionary<string, object>
{
    ["tool"] = "kiln",
    ["rows"] = table.RowCount,
    ["load_seconds"] = load,
    ["median_seconds"] = seconds[seconds.Count / 2],
    ["min_seconds"] = seconds[0],
    ["max_seconds"] = seconds[^1],
    ["repeats"] = repeats,
    ["iterations"] = model.Properties.GetValueOrDefault("iterations", ""),
    ["converged"] = model.Properties.GetValueOrDefault("converged", ""),
    ["final_loss"] = model.Properties.GetValueOrDefault("final_loss", ""),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;
