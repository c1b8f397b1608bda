// Drift benchmark: 30 numeric columns, 1M current rows against 100k reference rows (the shape of the shared
// drift_anchor.py, same distributions: reference N(0, 1), current N(0.05, 1.1)). Times, per repetition:
//   raw:     profile both sides from their columns, then KS, PSI, JS and Wasserstein for every column;
//   windows: the four methods from profiles already computed (what a monitor does with summarised windows).
// Prints one JSON line per repetition.
using System.Diagnostics;
using System.Text.Json;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

var repetitions = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
const int features = 30;
var reference = Make(100_000, 0, 1, 1);
var current = Make(1_000_000, 0.05, 1.1, 2);
DriftMethod[] methods = [DriftMethod.Ks, DriftMethod.Psi, DriftMethod.JensenShannon, DriftMethod.Wasserstein];

for (var r = 0; r < repetitions; r++)
{
    var clock = Stopwatch.StartNew();
    var referenceProfile = TableProfile.Compute(reference);
    var currentProfile = TableProfile.Compute(current);
    var profiled = clock.Elapsed.TotalSeconds;
    var drifted = 0;
    foreach (var method in methods)
    {
        drifted += DriftCalculator.Compare(referenceProfile, currentProfile, new DriftOptions(Method: method)).Columns.Count(c => c.Drifted);
    }
    var raw = clock.Elapsed.TotalSeconds;
    clock.Restart();
    foreach (var method in methods)
    {
        DriftCalculator.Compare(referenceProfile, currentProfile, new DriftOptions(Method: method));
    }
    var windows = clock.Elapsed.TotalSeconds;
    Console.WriteLine(JsonSerializer.Serialize(new { raw_s = Math.Round(raw, 3), profile_s = Math.Round(profiled, 3), windows_s = Math.Round(windows, 4), drifted_column_tests = drifted }));
}

static Table Make(int rows, double mean, double sd, int seed)
{
    var random = new Random(seed);
    var columns = new Column[features];
    for (var f = 0; f < features; f++)
    {
        var values = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            // Box-Muller
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            values[i] = mean + (sd * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        columns[f] = new Float64Column($"f{f}", values);
    }
    return new Table(columns);
}
