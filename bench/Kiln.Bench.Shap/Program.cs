using System.Diagnostics;
using System.Globalization;
using Kiln.Engine.Flavors;
using Kiln.Engine.Flavors.Xgboost;
using Kiln.Learn;
using Kiln.Learn.Explanations;
using Kiln.Learn.Gbdt;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;

// Usage: Kiln.Bench.Shap MODELDIR DATADIR REPS
// TreeSHAP on the serving benchmark's XGBoost model (MODELDIR/xgb.json, imported) over MODELDIR/shap_rows.csv, checked
// against XGBoost's MODELDIR/shap_xgb.csv (written by shap_ref.py); then on a Kiln GBDT of the same shape trained here on
// DATADIR/train_100k.csv. Prints batch seconds per repetition (the first includes building the tables), the one-row
// p50 in microseconds and the worst difference from XGBoost.
var modelDir = args[0];
var dataDir = args[1];
var reps = int.Parse(args[2], CultureInfo.InvariantCulture);
var rows = CsvReader.ReadFile(Path.Combine(modelDir, "shap_rows.csv"));
var features = rows.Columns.Select(c => c.Name).ToList();
var imported = XgboostFlavor.Compile(Path.Combine(modelDir, "xgb.json"), new ModelHints(features));
Measure("imported XGBoost", imported, rows, Path.Combine(modelDir, "shap_xgb.csv"));

var train = CsvReader.ReadFile(Path.Combine(dataDir, "train_100k.csv"));
var test = CsvReader.ReadFile(Path.Combine(dataDir, "test_100k.csv")).Slice(0, rows.RowCount);
var clock = Stopwatch.StartNew();
var own = new GbdtLearner().Fit(train, "label", new GbdtOptions { Rounds = 200, MaxDepth = 6, LearningRate = 0.1, Threads = 2 });
Console.WriteLine($"kiln gbdt trained in {clock.Elapsed.TotalSeconds:F1} s");
Measure("Kiln GBDT", own, test, null);

void Measure(string name, TrainedModel model, Table data, string? reference)
{
    var times = new List<double>();
    double[] contributions = [];
    for (var r = 0; r < reps + 1; r++)
    {
        var t = Stopwatch.StartNew();
        contributions = model.Explain(data);
        times.Add(t.Elapsed.TotalSeconds);
    }
    var width = ModelExplanation.Width(model);
    var worst = double.NaN;
    if (reference is not null)
    {
        worst = 0;
        var lines = File.ReadAllLines(reference);
        for (var i = 0; i < lines.Length; i++)
        {
            var values = lines[i].Split(',');
            for (var j = 0; j < width; j++)
            {
                var x = double.Parse(values[j], CultureInfo.InvariantCulture);
                worst = Math.Max(worst, Math.Abs(x - contributions[(i * width) + j]));
            }
        }
    }
    // one row: single calls on rows in the model's feature order, after the batch has built the tables
    var matrix = new double[data.RowCount * model.Schema.Features.Count];
    for (var f = 0; f < model.Schema.Features.Count; f++)
    {
        var column = data[model.Schema.Features[f].Name];
        for (var i = 0; i < data.RowCount; i++)
        {
            matrix[(i * model.Schema.Features.Count) + f] = column switch
            {
                NumericColumn numeric => numeric.GetValue(i),
                CategoricalColumn c => model.Schema.Features[f].Categories.ToList().IndexOf(c.FormatValue(i) ?? ""),
                _ => double.NaN,
            };
        }
    }
    var one = new double[width];
    var singles = new List<double>();
    var n = Math.Min(data.RowCount, 5000);
    var apart = 0.0; // one row's contributions against the batch's for the same row
    for (var i = 0; i < n; i++)
    {
        var t = Stopwatch.GetTimestamp();
        model.Explain(matrix.AsSpan(i * model.Schema.Features.Count, model.Schema.Features.Count), one);
        singles.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        for (var j = 0; j < width; j++)
        {
            apart = Math.Max(apart, Math.Abs(one[j] - contributions[(i * width) + j]));
        }
    }
    singles.Sort();
    Console.WriteLine($"{name}: rows {data.RowCount}, batch seconds {string.Join(' ', times.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}"
        + $" (median after the first {Median(times.Skip(1).ToList()):F3}), one-row p50 {singles[n / 2]:F1} µs p99 {singles[(int)(n * 0.99)]:F1} µs (within {apart:E1} of the batch)"
        + (double.IsNaN(worst) ? "" : $", worst |difference| from XGBoost {worst:E2}"));
}

static double Median(List<double> values)
{
    values.Sort();
    return values.Count == 0 ? double.NaN : values[values.Count / 2];
}
