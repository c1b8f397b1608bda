using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiln.Engine.Flavors;
using Kiln.Engine.Flavors.Xgboost;
using Kiln.Engine.Serving;
using Kiln.Learn;

// Usage: Kiln.Bench.Serving MODEL BODY REPS
// The phases of one scoring request in-process, one thread, no HTTP: reading a dataframe_split body (SplitScanner),
// predicting, writing MLflow's predictions JSON. MODEL is a Kiln model file (model.kiln) or an XGBoost JSON (its
// features are the body's columns). Prints the median microseconds of each phase and the rows per second of the three.
var (modelPath, bodyPath, reps) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
var body = File.ReadAllBytes(bodyPath);
using var doc = JsonDocument.Parse(body);
var columns = doc.RootElement.GetProperty("dataframe_split").GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
var model = modelPath.EndsWith(".json", StringComparison.Ordinal)
    ? XgboostFlavor.Compile(modelPath, new ModelHints(columns))
    : TrainedModel.Load(modelPath);
var (scan, predict, write) = (new List<double>(), new List<double>(), new List<double>());
var rows = 0;
for (var r = 0; r < reps; r++)
{
    var t = Stopwatch.GetTimestamp();
    var table = SplitScanner.TryRead(body, model.Schema) ?? throw new InvalidOperationException("the scanner did not take the body");
    scan.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
    t = Stopwatch.GetTimestamp();
    var outputs = model.Predict(table);
    predict.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
    t = Stopwatch.GetTimestamp();
    var buffer = new ArrayBufferWriter<byte>(256);
    using (var json = new Utf8JsonWriter(buffer))
    {
        json.WriteStartObject();
        ScoringPayload.WritePredictions(json, model.Schema, outputs, table.RowCount);
        json.WriteEndObject();
    }
    write.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
    rows = table.RowCount;
}
static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
var total = Median(scan) + Median(predict) + Median(write);
Console.WriteLine(FormattableString.Invariant($"means: scan {scan.Average():F1} µs, predict {predict.Average():F1} µs, write {write.Average():F1} µs; gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalPauseDuration().TotalMilliseconds / reps * 1000:F1} µs paused per request"));
Console.WriteLine(FormattableString.Invariant(
    $"rows {rows}: scan {Median(scan):F1} µs, predict {Median(predict):F1} µs, write {Median(write):F1} µs; {rows / total * 1e6:F0} rows/s on one thread"));
