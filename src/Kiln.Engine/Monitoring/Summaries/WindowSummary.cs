using System.Text.Json;
using Kiln.Core.Serving;
using Kiln.Engine.Packaging;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Monitoring.Summaries;

/// <summary>
/// What monitoring keeps of some logged rows, in parts that merge exactly or by mergeable sketches: the inputs' profile
/// (drift, missing shares, category counts), the predictions' profile (prediction drift, mean), per feature the count of
/// numbers outside the training range (judged when summarised), CBPE's sums (the expected confusion matrix, its variance,
/// and the positive class's probability in 100 bins with their sums, for the expected ROC curve) and the latency
/// histogram. A window is the merge of its stored slices and the raw rows after the last one.
/// </summary>
public sealed record WindowSummary
{
    /// <summary>Probability bins for the expected ROC curve.</summary>
    public const int Bins = 100;

    /// <summary>Rows summarised.</summary>
    public int Rows { get; init; }

    /// <summary>The inputs' profile, typed by the model's schema (null for no rows).</summary>
    public TableProfile? Inputs { get; init; }

    /// <summary>The predictions' profile, one column <see cref="ModelPackage.PredictionColumn"/> (null for no rows or a multiclass model).</summary>
    public TableProfile? Predictions { get; init; }

    /// <summary>Per numeric feature, values outside the reference's [min, max].</summary>
    public IReadOnlyDictionary<string, long> OutOfRange { get; init; } = new Dictionary<string, long>();

    /// <summary>CBPE: expected true positives, false positives, false negatives, true negatives, and Σ p(1 − p).</summary>
    public double[] Confusion { get; init; } = new double[5];

    /// <summary>Rows per probability bin.</summary>
    public long[] BinCounts { get; init; } = new long[Bins];

    /// <summary>Σ probability per bin.</summary>
    public double[] BinSums { get; init; } = new double[Bins];

    /// <summary>Rows per latency bucket (<see cref="RouteTraffic.BoundsMs"/>, the last for the rest).</summary>
    public long[] Latency { get; init; } = new long[RouteTraffic.BoundsMs.Count + 1];

    /// <summary>An empty summary.</summary>
    public static WindowSummary Empty { get; } = new();

    /// <summary>Summarises <paramref name="records"/> of a model with <paramref name="schema"/>, out-of-range judged against <paramref name="reference"/>.</summary>
    public static WindowSummary Of(IReadOnlyList<PredictionRecord> records, ModelSchema schema, TableProfile reference)
    {
        if (records.Count == 0)
        {
            return Empty;
        }
        var inputs = DeploymentDriftService.Rows(records, schema);
        var outOfRange = Quality.LiveQuality.OutOfRange(reference, inputs);
        var predictions = records.Select(r => MonitorService.Prediction(r.Outputs, schema.Task)).OfType<double>().ToArray();
        var confusion = new double[5];
        var counts = new long[Bins];
        var sums = new double[Bins];
        if (schema.Task == Learn.TaskKind.BinaryClassification)
        {
            foreach (var raw in predictions)
            {
                var p = Math.Clamp(raw, 0, 1);
                var (positive, negative) = p >= schema.DecisionThreshold ? (0, 1) : (2, 3); // the model's own decision threshold
                confusion[positive] += p;
                confusion[negative] += 1 - p;
                confusion[4] += p * (1 - p);
                var bin = Math.Min(Bins - 1, (int)(p * Bins));
                counts[bin]++;
                sums[bin] += p;
            }
        }
        var latency = new long[RouteTraffic.BoundsMs.Count + 1];
        foreach (var record in records)
        {
            var bucket = 0;
            while (bucket < RouteTraffic.BoundsMs.Count && record.LatencyMs > RouteTraffic.BoundsMs[bucket])
            {
                bucket++;
            }
            latency[bucket]++;
        }
        return new WindowSummary
        {
            Rows = records.Count,
            Inputs = TableProfile.Compute(inputs),
            Predictions = predictions.Length == 0 ? null : TableProfile.Compute(new Table([new Float64Column(ModelPackage.PredictionColumn, predictions)])),
            OutOfRange = outOfRange,
            Confusion = confusion,
            BinCounts = counts,
            BinSums = sums,
            Latency = latency,
        };
    }

    /// <summary>This summary's rows and <paramref name="other"/>'s together.</summary>
    public WindowSummary Merge(WindowSummary other)
    {
        if (other.Rows == 0)
        {
            return this;
        }
        if (Rows == 0)
        {
            return other;
        }
        var outOfRange = new Dictionary<string, long>(OutOfRange, StringComparer.Ordinal);
        foreach (var (name, count) in other.OutOfRange)
        {
            outOfRange[name] = outOfRange.GetValueOrDefault(name) + count;
        }
        return new WindowSummary
        {
            Rows = Rows + other.Rows,
            Inputs = Inputs is null ? other.Inputs : other.Inputs is null ? Inputs : Inputs.Merge(other.Inputs),
            Predictions = Predictions is null ? other.Predictions : other.Predictions is null ? Predictions : Predictions.Merge(other.Predictions),
            OutOfRange = outOfRange,
            Confusion = [.. Confusion.Zip(other.Confusion, (a, b) => a + b)],
            BinCounts = [.. BinCounts.Zip(other.BinCounts, (a, b) => a + b)],
            BinSums = [.. BinSums.Zip(other.BinSums, (a, b) => a + b)],
            Latency = [.. Latency.Zip(other.Latency, (a, b) => a + b)],
        };
    }

    /// <summary>All of <paramref name="parts"/> merged pairwise, as a balanced tree: each sketch goes through about log2(n)
    /// merges rather than n, so the rank error of many small slices does not pile up.</summary>
    public static WindowSummary MergeAll(IReadOnlyList<WindowSummary> parts)
    {
        if (parts.Count == 0)
        {
            return Empty;
        }
        var level = parts.ToList();
        while (level.Count > 1)
        {
            var next = new List<WindowSummary>((level.Count + 1) / 2);
            for (var i = 0; i < level.Count; i += 2)
            {
                next.Add(i + 1 < level.Count ? level[i].Merge(level[i + 1]) : level[i]);
            }
            level = next;
        }
        return level[0];
    }

    /// <summary>The latency at quantile <paramref name="q"/>: the upper bound of the bucket that reaches it (null for no rows;
    /// past the last bound, the last bound).</summary>
    public double? LatencyQuantile(double q)
    {
        var total = Latency.Sum();
        if (total == 0)
        {
            return null;
        }
        long seen = 0;
        for (var i = 0; i < Latency.Length; i++)
        {
            seen += Latency[i];
            if (seen >= q * total)
            {
                return RouteTraffic.BoundsMs[Math.Min(i, RouteTraffic.BoundsMs.Count - 1)];
            }
        }
        return RouteTraffic.BoundsMs[^1];
    }

    /// <summary>CBPE's estimates from the sums (as <see cref="Performance.Cbpe.Estimate"/> computes from the rows; roc_auc from the bins).</summary>
    public IReadOnlyDictionary<string, double> Estimated()
    {
        var n = BinCounts.Sum();
        var metrics = Performance.Cbpe.FromSums(Confusion[0], Confusion[1], Confusion[2], Confusion[3], Confusion[4], n);
        if (n == 0)
        {
            return metrics;
        }
        var steps = Enumerable.Range(0, Bins).Reverse().Select(b => (BinSums[b], BinCounts[b] - BinSums[b])).ToList();
        if (Performance.Cbpe.AreaUnderCurve(steps) is { } auc)
        {
            metrics["roc_auc"] = auc;
        }
        return metrics;
    }

    /// <summary>The summary as JSON (profiles in their own format).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(Rows, Inputs?.ToJson(indented: false), Predictions?.ToJson(indented: false),
        OutOfRange.ToDictionary(), Confusion, BinCounts, BinSums, Latency));

    /// <summary>Reads <see cref="ToJson"/>'s output.</summary>
    public static WindowSummary FromJson(string json)
    {
        var s = JsonSerializer.Deserialize<Stored>(json) ?? throw new JsonException("An empty monitoring slice.");
        return s.Rows == 0 ? Empty : new WindowSummary
        {
            Rows = s.Rows,
            Inputs = s.Inputs is null ? null : TableProfile.FromJson(s.Inputs),
            Predictions = s.Predictions is null ? null : TableProfile.FromJson(s.Predictions),
            OutOfRange = s.OutOfRange,
            Confusion = s.Confusion,
            BinCounts = s.BinCounts,
            BinSums = s.BinSums,
            Latency = s.Latency,
        };
    }

    private sealed record Stored(int Rows, string? Inputs, string? Predictions, Dictionary<string, long> OutOfRange, double[] Confusion, long[] BinCounts,
        double[] BinSums, long[] Latency);
}
