using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Core.Serving;
using Kiln.Core.Tracking;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Engine.Monitoring.Performance;
using Kiln.Engine.Monitoring.Quality;
using Kiln.Engine.Monitoring.Summaries;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Monitoring;

/// <summary>A window's model performance: realised where ground truth has arrived, estimated (binary classifiers, CBPE)
/// over every row, and the model's own evaluation as the baseline.</summary>
/// <param name="Task">The model's task.</param>
/// <param name="Labelled">Rows whose label has arrived.</param>
/// <param name="Realised">Metrics over the labelled rows.</param>
/// <param name="Estimated">Expected metrics over all rows, from the model's probabilities (with accuracy_sd).</param>
/// <param name="Baseline">The metrics the model's training run recorded on its validation rows (or training rows).</param>
/// <param name="MeanPrediction">The mean predicted probability (binary) or value (regression) in the window.</param>
public sealed record PerformanceSummary(string Task, int Labelled, IReadOnlyDictionary<string, double> Realised, IReadOnlyDictionary<string, double> Estimated,
    IReadOnlyDictionary<string, double> Baseline, double? MeanPrediction);

/// <summary>Everything monitoring knows about one window of a deployment's traffic.</summary>
/// <param name="Drift">Drift per feature and for the data set.</param>
/// <param name="Quality">Data quality per feature.</param>
/// <param name="Performance">Realised, estimated and baseline performance.</param>
/// <param name="LatencyP50Ms">The median scoring time of the window's logged rows, or null without rows.</param>
/// <param name="LatencyP95Ms">Their 95th percentile.</param>
/// <param name="PredictionDrift">Drift of the window's predictions from the model's predictions on its training rows (null
/// when the package has no prediction profile, e.g. a model trained elsewhere, or for multiclass models).</param>
/// <param name="ErrorRate">The route's share of requests answered with an error over its live replicas' last heartbeat
/// window (about 30 s), or null without requests.</param>
/// <param name="History">The window bucket by bucket (by the hour for windows of 6 hours or more, else twelfths), oldest first.</param>
public sealed record MonitorSnapshot(DeploymentDrift Drift, IReadOnlyList<FeatureQuality> Quality, PerformanceSummary Performance, double? LatencyP50Ms = null,
    double? LatencyP95Ms = null, ColumnDrift? PredictionDrift = null, double? ErrorRate = null, IReadOnlyList<MonitorPoint>? History = null);

/// <summary>One bucket of a window's history.</summary>
/// <param name="End">The bucket's end (Unix milliseconds).</param>
/// <param name="Rows">Logged rows in it.</param>
/// <param name="DriftedShare">Its share of drifted features.</param>
/// <param name="Scores">Each feature's drift score.</param>
/// <param name="EstimatedAccuracy">CBPE's accuracy (NaN when not estimated).</param>
/// <param name="EstimatedAuc">CBPE's ROC AUC (NaN when not estimated).</param>
/// <param name="RealisedAccuracy">The accuracy of its labelled rows (NaN without labels).</param>
/// <param name="Labelled">Its labelled rows.</param>
public sealed record MonitorPoint(long End, int Rows, double DriftedShare, IReadOnlyDictionary<string, double> Scores, double EstimatedAccuracy, double EstimatedAuc,
    double RealisedAccuracy, int Labelled);

/// <summary>
/// A deployment's monitoring over a window of its prediction log: drift (<see cref="DeploymentDriftService"/>), live
/// data quality (<see cref="LiveQuality"/>), realised performance where labels have arrived, CBPE-estimated performance
/// before they do, and the training run's evaluation as the baseline.
/// </summary>
public sealed class MonitorService(DeploymentDriftService windows, ITrackingStore tracking, IReplicaStore replicas, IPredictionLog log, IMonitorSliceStore slices,
    TimeProvider time)
{
    /// <summary>Replicas whose last heartbeat is older than this are not counted in the error rate.</summary>
    public static readonly TimeSpan LiveReplica = TimeSpan.FromMinutes(2);

    /// <summary>Slices are this long, aligned to multiples of it (and so are a snapshot's window starts).</summary>
    public static readonly TimeSpan SliceLength = TimeSpan.FromMinutes(1);

    /// <summary>Minute slices are rolled up into slices this long, aligned to multiples of it.</summary>
    public static readonly TimeSpan RollupLength = TimeSpan.FromHours(1);

    /// <summary>A window whose stored slices hold fewer rows than this is read and profiled exactly instead (see <see cref="SnapshotAsync"/>).</summary>
    public const long ExactBelowRows = 200_000;

    /// <summary>A slice is summarised only once it ended this long ago (the log is written off the request path).</summary>
    public static readonly TimeSpan SliceLag = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Monitors the last <paramref name="window"/> of <paramref name="deployment"/>'s traffic on a route (the window starts
    /// on a slice boundary): the stored slices' summaries merged with a summary of the rows after the last slice (at most
    /// its newest <paramref name="maxRows"/>, default <see cref="DeploymentDriftService.MaxWindowRows"/>), so rows already
    /// summarised are never read again; then drift, quality and CBPE from the summary, realised performance from the
    /// window's labelled rows. A quiet window — its slices hold fewer than <paramref name="exactBelow"/> rows (default
    /// <see cref="ExactBelowRows"/>) — is read and profiled exactly instead: sketches of a few rows a minute, merged by
    /// the hundred, are too coarse for the distances.
    /// </summary>
    public async Task<MonitorSnapshot> SnapshotAsync(string deployment, TimeSpan window, string? route, DriftOptions? options, CancellationToken ct = default, int? maxRows = null,
        long? exactBelow = null)
    {
        if (window <= TimeSpan.Zero)
        {
            throw KilnException.Invalid($"The window must be longer than zero (e.g. 1h, 24h), not {window}.");
        }
        var c = await windows.ContextAsync(deployment, route, null, ct);
        var schema = c.Served.Model.Schema;
        var to = time.GetUtcNow().ToUnixTimeMilliseconds();
        var step = (long)SliceLength.TotalMilliseconds;
        var from = (to - (long)window.TotalMilliseconds) / step * step;
        // whole hours from their roll-ups (windows of 6 hours or more, charted by the hour), the other minutes from their
        // slices, then the rows after the last slice; each part also goes into its bucket of the window's history
        var hour = (long)RollupLength.TotalMilliseconds;
        var bucket = window >= TimeSpan.FromHours(6) ? hour : Math.Max(step, (long)(window.TotalMilliseconds / 12) / step * step);
        var hours = bucket >= hour ? await slices.ReadAsync(deployment, c.Route, from, to, hour, ct) : [];
        var stored = hours.ToList();
        foreach (var (gapStart, gapEnd) in Gaps(hours, from, to))
        {
            stored.AddRange(await slices.ReadAsync(deployment, c.Route, gapStart, gapEnd, step, ct)); // only the minutes no roll-up covers
        }
        List<(long Start, WindowSummary Summary)> parts;
        WindowSummary? exact = null;
        if (stored.Sum(x => (long)x.Rows) < (exactBelow ?? ExactBelowRows))
        {
            // a quiet window: its rows are few, read and profiled exactly (sketches of a few rows a minute, merged, are coarse)
            var rows = await log.ReadLatestAsync(deployment, c.Route, from, maxRows ?? DeploymentDriftService.MaxWindowRows, ct);
            exact = WindowSummary.Of(rows, schema, c.Reference);
            parts = [.. rows.GroupBy(r => from + ((r.Time - from) / bucket * bucket)).Select(g => (g.Key, WindowSummary.Of([.. g], schema, c.Reference)))];
        }
        else
        {
            var parsed = new (long Start, WindowSummary Summary)[stored.Count];
            Parallel.For(0, stored.Count, new ParallelOptions { CancellationToken = ct }, i => parsed[i] = (stored[i].Start, WindowSummary.FromJson(stored[i].Summary)));
            parts = [.. parsed.OrderBy(x => x.Start)];
            var tailStart = stored.Count > 0 ? stored.Max(x => x.End) : from; // nothing summarised yet (exactBelow 0): every row is the tail
            parts.Add((tailStart, WindowSummary.Of(await log.ReadLatestAsync(deployment, c.Route, tailStart, maxRows ?? DeploymentDriftService.MaxWindowRows, ct), schema, c.Reference)));
        }
        // each bucket's parts merged once, for its point in the history and (bucket by bucket) for the whole window
        var buckets = parts.GroupBy(p => (p.Start - from) / bucket).OrderBy(g => g.Key).Select(g => (g.Key, WindowSummary.MergeAll([.. g.Select(p => p.Summary)]))).ToList();
        var summary = exact ?? WindowSummary.MergeAll([.. buckets.Select(b => b.Item2)]);

        var current = summary.Inputs ?? TableProfile.Compute(DeploymentDriftService.Rows([], schema));
        var drift = new DeploymentDrift(deployment, c.Route, c.Served.Reference, from, to, summary.Rows, DeploymentDriftService.Compare(c.Reference, current, schema, options));
        var quality = LiveQuality.FromProfile(c.Reference, summary.Inputs, summary.OutOfRange, schema);
        var labelled = await log.ReadRangeAsync(deployment, c.Route, from, to + 1, DeploymentDriftService.MaxWindowRows, labelledOnly: true, ct);
        var realised = Performance(labelled, schema, new Dictionary<string, double>());
        var mean = summary.Predictions?.Columns.FirstOrDefault()?.Numeric?.Mean;
        var performance = realised with
        {
            Estimated = schema.Task == TaskKind.BinaryClassification ? summary.Estimated() : new Dictionary<string, double>(),
            Baseline = await BaselineAsync(c.Served.Version?.RunId, ct),
            MeanPrediction = summary.Rows > 0 ? mean : null,
        };
        var (requests, errors) = await RecentTrafficAsync(deployment, c.Route, ct);
        return new MonitorSnapshot(drift, quality, performance, summary.LatencyQuantile(0.5), summary.LatencyQuantile(0.95), PredictionDrift(c, summary, options),
            requests > 0 ? (double)errors / requests : null, History(buckets, from, bucket, labelled, c, options));
    }

    /// <summary>The window bucket by bucket: each bucket's parts merged, its drift against the reference, its estimated
    /// performance and the realised performance of its labelled rows.</summary>
    private static IReadOnlyList<MonitorPoint> History(List<(long Key, WindowSummary Merged)> buckets, long from, long bucket, IReadOnlyList<PredictionRecord> labelled,
        MonitorContext c, DriftOptions? options)
    {
        var schema = c.Served.Model.Schema;
        var labels = labelled.GroupBy(r => (r.Time - from) / bucket).ToDictionary(g => g.Key, g => g.ToList());
        var points = new List<MonitorPoint>();
        foreach (var (key, merged) in buckets)
        {
            if (merged.Rows == 0 || merged.Inputs is null)
            {
                continue;
            }
            var report = DeploymentDriftService.Compare(c.Reference, merged.Inputs, schema, options);
            var estimated = schema.Task == TaskKind.BinaryClassification ? merged.Estimated() : new Dictionary<string, double>();
            var realised = Performance(labels.GetValueOrDefault(key) ?? [], schema, new Dictionary<string, double>());
            points.Add(new MonitorPoint(from + ((key + 1) * bucket), merged.Rows, report.DriftedShare,
                report.Columns.ToDictionary(col => col.Column, col => col.Score, StringComparer.Ordinal), estimated.GetValueOrDefault("accuracy", double.NaN),
                estimated.GetValueOrDefault("roc_auc", double.NaN), realised.Realised.GetValueOrDefault("accuracy", double.NaN), realised.Labelled));
        }
        return points;
    }

    /// <summary>The stretches of [<paramref name="from"/>, <paramref name="to"/>) that no roll-up in <paramref name="rollups"/> covers.</summary>
    internal static IEnumerable<(long Start, long End)> Gaps(IEnumerable<MonitorSlice> rollups, long from, long to)
    {
        var cursor = from;
        foreach (var r in rollups.OrderBy(r => r.Start))
        {
            if (r.Start > cursor)
            {
                yield return (cursor, r.Start);
            }
            cursor = Math.Max(cursor, r.End);
        }
        if (cursor < to)
        {
            yield return (cursor, to);
        }
    }

    /// <summary>
    /// Stores a slice for every complete <see cref="SliceLength"/> of the route's log since its last slice (the first time:
    /// since <paramref name="history"/> ago) that ended at least <see cref="SliceLag"/> ago, then a roll-up of every
    /// <see cref="RollupLength"/> whose minutes are stored. Each slice is keyed by its start and end, so a round repeated
    /// after a restart adds nothing twice. Returns the slices stored.
    /// </summary>
    public async Task<int> SummarizeAsync(string deployment, string? route, TimeSpan history, CancellationToken ct = default)
    {
        var c = await windows.ContextAsync(deployment, route, null, ct);
        var step = (long)SliceLength.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var complete = (now - (long)SliceLag.TotalMilliseconds) / step * step;
        var first = (now - (long)history.TotalMilliseconds) / step * step;
        var start = await slices.LastEndAsync(deployment, c.Route, step, ct) ?? first;
        var made = 0;
        for (; start + step <= complete; start += step)
        {
            var rows = await log.ReadRangeAsync(deployment, c.Route, start, start + step, DeploymentDriftService.MaxWindowRows, labelledOnly: false, ct);
            var summary = WindowSummary.Of(rows, c.Served.Model.Schema, c.Reference);
            if (await slices.SaveAsync(new MonitorSlice(deployment, c.Route, start, start + step, rows.Count, summary.ToJson()), ct))
            {
                made++;
            }
        }
        // each hour whose minutes are all summarised is rolled up once, so a day's window merges 24 summaries, not 1,440
        var hour = (long)RollupLength.TotalMilliseconds;
        var lastMinute = await slices.LastEndAsync(deployment, c.Route, step, ct) ?? first;
        for (var h = await slices.LastEndAsync(deployment, c.Route, hour, ct) ?? (first + hour - 1) / hour * hour; h + hour <= lastMinute; h += hour)
        {
            var minutes = await slices.ReadAsync(deployment, c.Route, h, h + hour, step, ct);
            var summary = WindowSummary.MergeAll([.. minutes.Select(m => WindowSummary.FromJson(m.Summary))]);
            var rows = minutes.Sum(m => m.Rows);
            if (await slices.SaveAsync(new MonitorSlice(deployment, c.Route, h, h + hour, rows, summary.ToJson()), ct))
            {
                made++;
            }
        }
        return made;
    }

    /// <summary>The window's predictions against the model's on its training rows, by the same rules as a feature.</summary>
    private static ColumnDrift? PredictionDrift(MonitorContext c, WindowSummary summary, DriftOptions? options)
    {
        if (c.PredictionReference is null || summary.Predictions is null || c.Served.Model.Schema.OutputCount != 1)
        {
            return null;
        }
        var report = DriftCalculator.Compare(c.PredictionReference, summary.Predictions, (options ?? DriftOptions.Default) with { Columns = [ModelPackage.PredictionColumn] });
        return report.Columns.FirstOrDefault();
    }

    /// <summary>Requests and error answers of <paramref name="route"/> over the live replicas' last heartbeat window (the
    /// prediction log keeps answered requests only, so errors come from the replicas' traffic counters).</summary>
    public async Task<(long Requests, long Errors)> RecentTrafficAsync(string deployment, string route, CancellationToken ct = default)
    {
        var since = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)LiveReplica.TotalMilliseconds;
        var routes = (await replicas.ListAsync(deployment, ct)).Where(r => r.LastSeen >= since).SelectMany(r => r.Routes).Where(r => r.Route == route).ToList();
        return (routes.Sum(r => r.Recent.Requests), routes.Sum(r => r.Recent.Errors));
    }

    /// <summary>Realised performance of logged rows (their answers and labels); the window's estimate comes from its summary.</summary>
    public static PerformanceSummary Performance(IReadOnlyList<PredictionRecord> records, ModelSchema schema, IReadOnlyDictionary<string, double> baseline)
    {
        var task = schema.Task switch
        {
            TaskKind.BinaryClassification => "binary",
            TaskKind.MulticlassClassification => "multiclass",
            _ => "regression",
        };
        var labelled = new List<(double Prediction, double Label)>();
        foreach (var record in records)
        {
            if (Prediction(record.Outputs, schema.Task) is not { } prediction)
            {
                continue;
            }
            if (record.Label is { } label && Label(label, schema) is { } actual)
            {
                labelled.Add((prediction, actual));
            }
        }
        var (scored, truth) = (labelled.Select(l => l.Prediction).ToArray(), labelled.Select(l => l.Label).ToArray());
        IReadOnlyDictionary<string, double> realised = schema.Task switch
        {
            TaskKind.BinaryClassification => Realised.Binary(scored, [.. truth.Select(t => (int)t)], schema.DecisionThreshold),
            TaskKind.Regression => Realised.Regression(scored, truth),
            _ => new Dictionary<string, double>(),
        };
        // the estimate and the mean come from the whole window's summary (these records are its labelled ones)
        return new PerformanceSummary(task, labelled.Count, realised, new Dictionary<string, double>(), baseline, null);
    }

    /// <summary>The binary probability or regression value a logged answer holds (null for multiclass or an unreadable one).</summary>
    internal static double? Prediction(string outputs, TaskKind task)
    {
        try
        {
            using var doc = JsonDocument.Parse(outputs);
            var root = doc.RootElement;
            return task switch
            {
                TaskKind.Regression when root.ValueKind == JsonValueKind.Number => root.GetDouble(),
                TaskKind.BinaryClassification when root.ValueKind == JsonValueKind.Object && root.TryGetProperty("probability", out var p)
                    && p.ValueKind == JsonValueKind.Number => p.GetDouble(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A label as 0/1 (binary: the second class is 1) or a number (regression); null when it is neither.</summary>
    private static double? Label(string label, ModelSchema schema)
    {
        if (schema.Task == TaskKind.BinaryClassification && schema.Classes.Count == 2)
        {
            return label == schema.Classes[1] ? 1 : label == schema.Classes[0] ? 0 : null;
        }
        return schema.Task == TaskKind.Regression && double.TryParse(label, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : null;
    }

    /// <summary>The training run's evaluation: its valid_* metrics (train_* when it had no validation rows), unprefixed.</summary>
    private async Task<IReadOnlyDictionary<string, double>> BaselineAsync(string? runId, CancellationToken ct)
    {
        if (runId is null)
        {
            return new Dictionary<string, double>();
        }
        Run run;
        try
        {
            run = await tracking.GetRunAsync(runId, ct);
        }
        catch (KilnException)
        {
            return new Dictionary<string, double>(); // the run was deleted, or the model was registered from elsewhere
        }
        var metrics = run.Data.Metrics;
        var prefix = metrics.Any(m => m.Key.StartsWith("valid_", StringComparison.Ordinal)) ? "valid_" : "train_";
        return metrics.Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(m => m.Key[prefix.Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    }
}
