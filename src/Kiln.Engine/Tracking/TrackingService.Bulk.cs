using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking;

/// <summary>The history of one metric across many runs, whole or sampled to a step interval, and dataset summaries: what a UI's charts read.</summary>
public sealed partial class TrackingService
{
    /// <summary>Most runs one bulk history request may name.</summary>
    public const int MaxRunsPerBulkRequest = 100;

    /// <summary>Most points one bulk history request returns (and per run of a sampled request).</summary>
    public const int MaxBulkHistoryResults = 25_000;

    /// <summary>Most steps a sampled request keeps per run, and its default.</summary>
    public const int MaxSampledSteps = 2_500;

    /// <summary>Most experiments one dataset search may name.</summary>
    public const int MaxExperimentsPerDatasetSearch = 20;

    /// <summary>
    /// Every point of <paramref name="key"/> for each run (runs in id order, each run's points by timestamp, step, value, as
    /// MLflow's UI expects), at most <paramref name="maxResults"/> in all (default and cap 25,000).
    /// </summary>
    public async Task<IReadOnlyList<RunMetric>> GetMetricHistoryBulkAsync(IReadOnlyList<string> runIds, string? key, int? maxResults, CancellationToken ct = default)
    {
        if (runIds.Count == 0)
        {
            throw KilnException.Invalid("GetMetricHistoryBulk request must specify at least one run_id.");
        }
        if (runIds.Count > MaxRunsPerBulkRequest)
        {
            throw KilnException.Invalid($"GetMetricHistoryBulk request cannot specify more than {MaxRunsPerBulkRequest} run_ids. Received {runIds.Count} run_ids.");
        }
        if (key is null)
        {
            throw KilnException.Invalid("GetMetricHistoryBulk request must specify a metric_key.");
        }
        var limit = Math.Min(maxResults ?? MaxBulkHistoryResults, MaxBulkHistoryResults);
        var result = new List<RunMetric>();
        foreach (var runId in runIds.Distinct().Order(StringComparer.Ordinal))
        {
            var points = await HistoryAsync(runId, key, limit, ct);
            points.Sort(static (a, b) => (a.Timestamp, a.Step).CompareTo((b.Timestamp, b.Step)) is var c and not 0 ? c : a.Value.CompareTo(b.Value));
            result.AddRange(points.Take(limit - result.Count).Select(p => new RunMetric(runId, p)));
            if (result.Count >= limit)
            {
                break;
            }
        }
        return result;
    }

    /// <summary>
    /// The points of <paramref name="key"/> at a sample of steps shared by all the runs (for charts of many long runs): the
    /// steps logged in [<paramref name="startStep"/>, <paramref name="endStep"/>] (default: every step), thinned to about
    /// <paramref name="maxResults"/> evenly spaced ones (default and cap 2,500) plus the last, plus each run's first and last
    /// step in range. Runs come in the order given, each run's points by step then timestamp.
    /// </summary>
    public async Task<IReadOnlyList<RunMetric>> GetMetricHistoryBulkIntervalAsync(IReadOnlyList<string> runIds, string? key, long? startStep, long? endStep,
        int? maxResults, CancellationToken ct = default)
    {
        if (runIds.Count == 0)
        {
            throw Core.Json.JsonValues.Missing("run_ids");
        }
        if (runIds.Count > MaxRunsPerBulkRequest)
        {
            throw KilnException.Invalid($"GetMetricHistoryBulkInterval request must specify at most {MaxRunsPerBulkRequest} run_ids. Received {runIds.Count} run_ids.");
        }
        if (string.IsNullOrEmpty(key))
        {
            throw Core.Json.JsonValues.Missing("metric_key");
        }
        var perRun = maxResults ?? MaxSampledSteps;
        if (perRun is < 1 or > MaxSampledSteps)
        {
            throw KilnException.Invalid($"max_results must be between 1 and {MaxSampledSteps}.");
        }
        if (startStep.HasValue != endStep.HasValue)
        {
            throw KilnException.Invalid("If either start step or end step are specified, both must be specified.");
        }
        if (startStep > endStep)
        {
            throw KilnException.Invalid($"end_step must be greater than start_step. Found start_step={startStep} and end_step={endStep}.");
        }

        // First pass: each run's distinct steps only (8 bytes a step, not the points); second pass: the points at the
        // sampled steps, read page by page again.
        var stepsByRun = new List<List<long>>();
        foreach (var runId in runIds)
        {
            stepsByRun.Add(await StepsAsync(runId, key, ct));
        }
        var steps = stepsByRun.SelectMany(s => s).Distinct().Order().ToList();
        if (steps.Count == 0)
        {
            return [];
        }
        var (from, to) = (startStep ?? steps[0], endStep ?? steps[^1]);
        var sampled = SampleSteps(steps, from, to, perRun);
        foreach (var runSteps in stepsByRun.Where(s => s.Count > 0))
        {
            // each run's own first and last step stay, so every curve starts and ends where it really does
            foreach (var edge in new[] { runSteps[0], runSteps[^1] })
            {
                if (edge >= from && edge <= to)
                {
                    sampled.Add(edge);
                }
            }
        }
        var result = new List<RunMetric>();
        foreach (var runId in runIds)
        {
            var kept = 0;
            await foreach (var point in PointsAsync(runId, key, ct))
            {
                if (sampled.Contains(point.Step) && kept++ < MaxBulkHistoryResults)
                {
                    result.Add(new RunMetric(runId, point));
                }
            }
        }
        return result;
    }

    /// <summary>Up to <paramref name="count"/> evenly spaced steps of those in [from, to], plus the last one in range.</summary>
    internal static HashSet<long> SampleSteps(List<long> sortedSteps, long from, long to, int count)
    {
        var i = sortedSteps.BinarySearch(from);
        var first = i >= 0 ? i : ~i;
        var j = sortedSteps.BinarySearch(to);
        var end = j >= 0 ? j + 1 : ~j;
        var inRange = end - first;
        if (inRange <= count)
        {
            return [.. sortedSteps.Skip(first).Take(Math.Max(0, inRange))];
        }
        var sampled = new HashSet<long>();
        var interval = (double)inRange / count;
        for (var k = 0; k < count; k++)
        {
            sampled.Add(sortedSteps[first + (int)(k * interval)]);
        }
        sampled.Add(sortedSteps[end - 1]);
        return sampled;
    }

    /// <summary>The datasets the given experiments' runs used, with their contexts (at most 1,000).</summary>
    public Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<string> experimentIds, CancellationToken ct = default)
    {
        if (experimentIds.Count == 0)
        {
            throw KilnException.Invalid("SearchDatasets request must specify at least one experiment_id.");
        }
        if (experimentIds.Count > MaxExperimentsPerDatasetSearch)
        {
            throw KilnException.Invalid(
                $"SearchDatasets request cannot specify more than {MaxExperimentsPerDatasetSearch} experiment_ids. Received {experimentIds.Count} experiment_ids.");
        }
        return store.SearchDatasetsAsync(experimentIds, 1000, ct);
    }

    /// <summary>A run's distinct steps of one metric, ascending (pages come in step order).</summary>
    private async Task<List<long>> StepsAsync(string runId, string key, CancellationToken ct)
    {
        var steps = new List<long>();
        await foreach (var point in PointsAsync(runId, key, ct))
        {
            if (steps.Count == 0 || steps[^1] != point.Step)
            {
                steps.Add(point.Step);
            }
        }
        return steps;
    }

    /// <summary>Every point of a run's metric in history order, one page in memory at a time.</summary>
    private async IAsyncEnumerable<Metric> PointsAsync(string runId, string key, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        MetricCursor? cursor = null;
        do
        {
            var page = await store.GetMetricHistoryAsync(runId, key, TrackingLimits.MaxMetricHistoryResults, cursor, ct);
            foreach (var point in page.Items)
            {
                yield return point;
            }
            cursor = page.NextPageToken is null ? null : MetricCursor.After(page.Items[^1]);
        }
        while (cursor is not null);
    }

    /// <summary>A run's history of one metric, its first <paramref name="limit"/> points.</summary>
    private async Task<List<Metric>> HistoryAsync(string runId, string key, int limit, CancellationToken ct)
    {
        var points = new List<Metric>();
        await foreach (var point in PointsAsync(runId, key, ct))
        {
            if (points.Count == limit)
            {
                break;
            }
            points.Add(point);
        }
        return points;
    }
}
