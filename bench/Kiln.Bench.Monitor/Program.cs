// A 24-hour monitoring report over N logged predictions (issue 17: 10M in ≤ 5 s). In a fresh store: trains the 200-tree
// depth-6 GBDT on train_100k.csv, deploys it, logs N predictions of test_100k.csv's rows (incomes of the second half
// shifted, so drift is found) evenly over the last 24 hours with 1 % labelled, lets monitoring summarise every completed
// minute into slices (what the server's rounds do a minute at a time; timed as the catch-up it is here), then times the
// report: the 24-hour snapshot (slices merged, the rows since, labelled rows) and its HTML. Prints one JSON line per step.
// Usage: Kiln.Bench.Monitor DATA_DIR WORK_DIR [ROWS=10000000] [REPS=3]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Hosting;
using Kiln.Tabular.Csv;

var data = args[0];
var work = args[1];
var rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000_000;
var reps = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
Directory.CreateDirectory(work);

// KILN_BENCH_REUSE=1 times the reports again on a store an earlier run filled, as of the moment it was filled
var reuse = Environment.GetEnvironmentVariable("KILN_BENCH_REUSE") == "1" && File.Exists(Path.Combine(work, "kiln.db"));
await using var host = await KilnHost.OpenAsync(KilnSettings.Resolve("sqlite:///" + Path.Combine(work, "kiln.db"), Path.Combine(work, "artifacts"), work));
if (reuse)
{
    await Reports(host, reps, File.ReadAllText(Path.Combine(work, "now.txt")));
    return;
}
var clock = Stopwatch.StartNew();
var trained = await host.Get<TrainingSession>().RunAsync(new TrainRequest(Path.Combine(data, "train_100k.csv"), "label", "gbdt",
    new Dictionary<string, string> { ["rounds"] = "200", ["max_depth"] = "6", ["learning_rate"] = "0.1" }));
var registry = host.Get<RegistryService>();
await registry.CreateModelAsync("bench", null, []);
await registry.CreateVersionAsync("bench", $"runs:/{trained.RunId}/model", null, null, null, [], "bench");
await registry.SetAliasAsync("bench", "champion", "1", new AliasChange("bench", "set", null));
await host.Get<DeploymentService>().CreateAsync("bench", [new("champion", "models:/bench@champion", 100, false)], "bench");
Emit(new { step = "train_and_deploy", seconds = clock.Elapsed.TotalSeconds });

// the test rows as the log keeps them: inputs as a JSON object, the answer as the scoring protocol writes it
var test = CsvReader.ReadFile(Path.Combine(data, "test_100k.csv"));
var schema = trained.Model.Schema;
var probabilities = trained.Model.Predict(test);
var lines = File.ReadAllLines(Path.Combine(data, "test_100k.csv"));
var header = lines[0].Split(',');
var inputs = new string[lines.Length - 1];
for (var i = 1; i < lines.Length; i++)
{
    var cells = lines[i].Split(',');
    var json = new StringBuilder("{");
    for (var c = 0; c < header.Length; c++)
    {
        var feature = schema.Features.FirstOrDefault(f => f.Name == header[c]);
        if (feature is null)
        {
            continue;
        }
        json.Append(json.Length > 1 ? "," : "").Append('"').Append(header[c]).Append("\":");
        if (feature.Kind == Kiln.Learn.Data.FeatureKind.Categorical)
        {
            json.Append('"').Append(cells[c]).Append('"');
        }
        else if (header[c] == "f00" && i % 2 == 0)
        {
            json.Append((double.Parse(cells[c], CultureInfo.InvariantCulture) + 1.5).ToString("R", CultureInfo.InvariantCulture)); // the drift knob
        }
        else
        {
            json.Append(cells[c].Length == 0 ? "null" : cells[c]);
        }
    }
    inputs[i - 1] = json.Append('}').ToString();
}
var outputs = probabilities.Select(p => string.Create(CultureInfo.InvariantCulture, $"{{\"prediction\":\"{schema.Classes[p >= 0.5 ? 1 : 0]}\",\"probability\":{p:R}}}")).ToArray();

clock.Restart();
var log = host.Get<IPredictionLog>();
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
File.WriteAllText(Path.Combine(work, "now.txt"), now.ToString(CultureInfo.InvariantCulture));
var start = now - 86_400_000L + 60_000;
const int Batch = 20_000;
var labels = new List<(string, string)>();
for (var at = 0; at < rows; at += Batch)
{
    var batch = new PredictionRecord[Math.Min(Batch, rows - at)];
    for (var j = 0; j < batch.Length; j++)
    {
        var n = at + j;
        var r = n % inputs.Length;
        batch[j] = new PredictionRecord($"b{n:x8}", "bench", "champion", "bench", 1, start + (long)((86_400_000L - 120_000) * (double)n / rows), 1.0 + (n % 13 * 0.3),
            inputs[r], outputs[r], false);
        if (n % 100 == 0)
        {
            labels.Add((batch[j].RequestId, test["label"].FormatValue(r) ?? "0"));
        }
    }
    await log.AppendAsync(batch);
}
await log.AddLabelsAsync(labels, now);
Emit(new { step = "log", rows, labels = labels.Count, seconds = clock.Elapsed.TotalSeconds, rows_per_second = rows / clock.Elapsed.TotalSeconds });

var monitor = host.Get<MonitorService>();
clock.Restart();
var slices = await monitor.SummarizeAsync("bench", null, TimeSpan.FromHours(25));
Emit(new { step = "summarise_24h_catch_up", slices, seconds = clock.Elapsed.TotalSeconds, rows_per_second = rows / clock.Elapsed.TotalSeconds,
    per_minute_ms = clock.Elapsed.TotalMilliseconds / Math.Max(1, slices) });

await Reports(host, reps, null);

static async Task Reports(KilnHost host, int reps, string? asOf)
{
    var time = asOf is null ? TimeProvider.System : new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(asOf, CultureInfo.InvariantCulture)));
    var monitor = asOf is null ? host.Get<MonitorService>() : new MonitorService(host.Get<DeploymentDriftService>(), host.Get<Kiln.Core.Tracking.ITrackingStore>(),
        host.Get<IReplicaStore>(), host.Get<IPredictionLog>(), host.Get<Kiln.Core.Monitoring.IMonitorSliceStore>(), time);
    var clock = Stopwatch.StartNew();
    for (var rep = 1; rep <= reps; rep++)
    {
        clock.Restart();
        var snapshot = await monitor.SnapshotAsync("bench", TimeSpan.FromHours(24), null, null);
        var snapshotSeconds = clock.Elapsed.TotalSeconds;
        var html = MonitorReportHtml.Render(snapshot, "24 hours of bench");
        Emit(new
        {
            step = "report_24h", rep, seconds = clock.Elapsed.TotalSeconds, snapshot_seconds = snapshotSeconds, rows = snapshot.Drift.Rows,
            labelled = snapshot.Performance.Labelled, drifted = snapshot.Drift.Report.Columns.Where(c => c.Drifted).Select(c => c.Column).ToArray(),
            estimated_auc = snapshot.Performance.Estimated.GetValueOrDefault("roc_auc"), realised_auc = snapshot.Performance.Realised.GetValueOrDefault("roc_auc"),
            html_bytes = html.Length,
        });
    }
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

/// <summary>A clock stopped at one moment.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
