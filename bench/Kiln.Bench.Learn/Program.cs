using System.Diagnostics;
using Kiln.Learn;
using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Linear;
using Kiln.Learn.Metrics;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

// Usage: Kiln.Bench.Learn [sizes=100k,1m] [tasks=gbdt,gbdt_cat,gbdt_monotone,forest,logistic] [progress]; data from KILN_BENCH_DATA (default /work/scratch/benchdata).
// "progress" passes a progress sink that records the per-round losses (as kiln train's TrainingSession does).
// KILN_PROFILE=1 prints a per-phase time breakdown of each fit to stderr.
var dataDir = Environment.GetEnvironmentVariable("KILN_BENCH_DATA") ?? "/work/scratch/benchdata";
var sizes = (args.Length > 0 ? args[0] : "100k,1m").Split(',');
var tasks = (args.Length > 1 ? args[1] : "gbdt,gbdt_cat").Split(',');
var withProgress = args.Length > 2 && args[2] == "progress";
const string Target = "label";

foreach (var size in sizes)
{
    var clock = Stopwatch.StartNew();
    var train = CsvReader.ReadFile(Path.Combine(dataDir, $"train_{size}.csv"));
    var test = CsvReader.ReadFile(Path.Combine(dataDir, $"test_{size}.csv"));
    Console.WriteLine($"{size}: load {clock.Elapsed.TotalSeconds:F2} s ({train.RowCount:N0} + {test.RowCount:N0} rows)");
    var labels = Labels(test);
    foreach (var task in tasks)
    {
        var native = task.EndsWith("_cat", StringComparison.Ordinal);
        var (tr, te) = native ? (train, test) : (Ordinal(train), Ordinal(test));
        GC.Collect();
        clock.Restart();
        TrainedModel model = task switch
        {
            "gbdt" or "gbdt_cat" => new GbdtLearner().Fit(tr, Target, new GbdtOptions { Rounds = 200, MaxDepth = 6, LearningRate = 0.1, MaxBins = 256, Threads = 2 },
                progress: withProgress ? new LossRecorder() : null),
            // monotone constraints on four features (KILN_MONOTONE overrides): fit time against "gbdt", and the AUC they cost
            "gbdt_monotone" => new GbdtLearner().Fit(tr, Target, new GbdtOptions
            {
                Rounds = 200, MaxDepth = 6, LearningRate = 0.1, MaxBins = 256, Threads = 2,
                Monotone = Environment.GetEnvironmentVariable("KILN_MONOTONE") ?? "f00:+1,f01:-1,f02:+1,f03:-1",
            }),
            "forest" or "forest_cat" => new ForestLearner().Fit(tr, Target, new ForestOptions { Trees = 100, Threads = 2 }),
            "logistic" or "logistic_cat" => new LogisticLearner().Fit(tr, Target, new LogisticOptions { Threads = 2 }),
            _ => throw new ArgumentException($"Unknown task {task}"),
        };
        var fit = clock.Elapsed.TotalSeconds;
        var fitPeak = Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20);
        var facts = string.Join(", ", model.Properties.Where(p => p.Key is "iterations" or "converged" or "oob_score").Select(p => $"{p.Key} {p.Value}"));
        var p = model.Predict(te);
        var auc = ProbabilityMetrics.RocAuc(labels, p);
        // batch: the median of single calls over the whole test set, as baseline.py times XGBoost (median of its reps),
        // after half a second of calls (the JIT is still promoting the fit's code in the background right after it)
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < 0.5)
        {
            model.Predict(te);
        }
        var calls = new List<double>();
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < 2 || calls.Count < 5)
        {
            var started = Stopwatch.GetTimestamp();
            model.Predict(te);
            calls.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        calls.Sort();
        var rowsPerSecond = te.RowCount / calls[calls.Count / 2];
        var oneRow = OneRowMicroseconds(model, te);
        Console.WriteLine($"{size} {task}: fit {fit:F2} s, test AUC {auc:F4}, predict {rowsPerSecond:N0} rows/s, one-row mean {oneRow.Mean:F2} µs (p50 {oneRow.P50:F2}, p99 {oneRow.P99:F2}), peak WS {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20):N0} MB (after the fit {fitPeak:N0} MB) {facts}");
    }
}

static int[] Labels(Table table)
{
    var column = table.GetColumn<NumericColumn>(Target);
    var result = new int[table.RowCount];
    for (var i = 0; i < result.Length; i++)
    {
        result[i] = column.GetValue(i) > 0.5 ? 1 : 0;
    }
    return result;
}

static Table Ordinal(Table table) => new(table.Columns.Select(c => c is CategoricalColumn cat
    ? new Float64Column(c.Name, cat.Codes.ToArray().Select(x => x < 0 ? double.NaN : x).ToArray())
    : c));

static (double Mean, double P50, double P99) OneRowMicroseconds(TrainedModel model, Table test)
{
    var rows = Math.Min(test.RowCount, 10_000);
    var features = model.Schema.Features;
    var data = new double[rows * features.Count];
    for (var f = 0; f < features.Count; f++)
    {
        var column = test[features[f].Name];
        for (var i = 0; i < rows; i++)
        {
            data[(i * features.Count) + f] = column switch
            {
                NumericColumn n => n.GetValue(i),
                CategoricalColumn c => c.Codes[i] < 0 ? double.NaN : c.Codes[i],
                _ => double.NaN,
            };
        }
    }
    Span<double> output = stackalloc double[model.OutputCount];
    for (var i = 0; i < rows; i++)
    {
        model.Predict(data.AsSpan(i * features.Count, features.Count), output);
    }
    var clock = Stopwatch.StartNew();
    var calls = 0;
    while (clock.Elapsed.TotalSeconds < 1)
    {
        for (var i = 0; i < rows; i++)
        {
            model.Predict(data.AsSpan(i * features.Count, features.Count), output);
        }
        calls += rows;
    }
    var mean = clock.Elapsed.TotalMicroseconds / calls;
    // per call, as baseline.py times XGBoost's inplace_predict (p50/p99 of single calls; the timer's ~20 ns included)
    var times = new double[3 * rows];
    for (var k = 0; k < times.Length; k++)
    {
        var i = k % rows;
        var start = Stopwatch.GetTimestamp();
        model.Predict(data.AsSpan(i * features.Count, features.Count), output);
        // raw ticks: a TimeSpan would round to 0.1 µs
        times[k] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
    }
    Array.Sort(times);
    return (mean, times[times.Length / 2], times[times.Length * 99 / 100]);
}

sealed class LossRecorder : IProgress<TrainingProgress>
{
    public List<double> Losses { get; } = [];

    public void Report(TrainingProgress value) => Losses.Add(value.TrainLoss);
}
