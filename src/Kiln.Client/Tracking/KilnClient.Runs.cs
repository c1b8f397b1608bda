using Kiln.Client.Http;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    public async Task<Run> CreateRunAsync(string experimentId, string? runName = null, IReadOnlyDictionary<string, string>? tags = null,
        long? startTime = null, string? userId = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("runs/create", w =>
        {
            w.WriteString("experiment_id", experimentId);
            if (runName is not null)
            {
                w.WriteString("run_name", runName);
            }
            w.WriteString("user_id", userId ?? Environment.UserName);
            w.WriteNumber("start_time", startTime ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            ClientJson.WriteTags(w, "tags", tags);
        }, ct);
        return ClientJson.Run(doc.RootElement.GetProperty("run"));
    }

    /// <summary>Creates a run and returns a handle whose logging calls return at once and are sent in background batches.</summary>
    public async Task<ActiveRun> StartRunAsync(string experimentId, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        var run = await CreateRunAsync(experimentId, runName, tags, ct: ct);
        return new ActiveRun(this, run.Info);
    }

    public async Task<Run> GetRunAsync(string runId, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("runs/get", [("run_id", runId)], ct);
        return ClientJson.Run(doc.RootElement.GetProperty("run"));
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status = null, long? endTime = null, string? runName = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("runs/update", w =>
        {
            w.WriteString("run_id", runId);
            if (status is { } s)
            {
                w.WriteString("status", s.WireName());
            }
            if (endTime is { } e)
            {
                w.WriteNumber("end_time", e);
            }
            if (runName is not null)
            {
                w.WriteString("run_name", runName);
            }
        }, ct);
        return ClientJson.RunInfo(doc.RootElement.GetProperty("run_info"));
    }

    public Task DeleteRunAsync(string runId, CancellationToken ct = default) => PostAsync("runs/delete", w => w.WriteString("run_id", runId), ct);

    public Task RestoreRunAsync(string runId, CancellationToken ct = default) => PostAsync("runs/restore", w => w.WriteString("run_id", runId), ct);

    /// <summary>Logs one metric point now (a round trip). In a training loop prefer <see cref="ActiveRun.LogMetric"/>.</summary>
    public Task LogMetricAsync(string runId, string key, double value, long step = 0, long? timestamp = null, CancellationToken ct = default) =>
        PostAsync("runs/log-metric", w =>
        {
            w.WriteString("run_id", runId);
            var metric = new Metric(key, value, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), step);
            w.WriteString("key", metric.Key);
            if (double.IsFinite(value))
            {
                w.WriteNumber("value", value);
            }
            else
            {
                w.WriteString("value", double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            }
            w.WriteNumber("timestamp", metric.Timestamp);
            w.WriteNumber("step", metric.Step);
        }, ct);

    public Task LogParamAsync(string runId, string key, string value, CancellationToken ct = default) =>
        PostAsync("runs/log-parameter", w => { w.WriteString("run_id", runId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    public Task SetTagAsync(string runId, string key, string value, CancellationToken ct = default) =>
        PostAsync("runs/set-tag", w => { w.WriteString("run_id", runId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) =>
        PostAsync("runs/delete-tag", w => { w.WriteString("run_id", runId); w.WriteString("key", key); }, ct);

    /// <summary>Logs metrics, params and tags in one request, all or nothing (at most 1000 metrics, 100 params, 100 tags).</summary>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric>? metrics = null, IReadOnlyList<Param>? parameters = null, IReadOnlyList<Tag>? tags = null, CancellationToken ct = default) =>
        PostAsync("runs/log-batch", w =>
        {
            w.WriteString("run_id", runId);
            w.WriteStartArray("metrics");
            foreach (var metric in metrics ?? [])
            {
                ClientJson.WriteMetric(w, metric);
            }
            w.WriteEndArray();
            ClientJson.WriteTags(w, "params", parameters?.Select(p => KeyValuePair.Create(p.Key, p.Value)));
            ClientJson.WriteTags(w, "tags", tags?.Select(t => KeyValuePair.Create(t.Key, t.Value)));
        }, ct);

    /// <summary>Records datasets the run read (MLflow's log-inputs).</summary>
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default) =>
        PostAsync("runs/log-inputs", w =>
        {
            w.WriteString("run_id", runId);
            w.WriteStartArray("datasets");
            foreach (var input in inputs)
            {
                w.WriteStartObject();
                ClientJson.WriteTags(w, "tags", input.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)));
                w.WriteStartObject("dataset");
                w.WriteString("name", input.Dataset.Name);
                w.WriteString("digest", input.Dataset.Digest);
                w.WriteString("source_type", input.Dataset.SourceType);
                w.WriteString("source", input.Dataset.Source);
                if (input.Dataset.Schema is not null)
                {
                    w.WriteString("schema", input.Dataset.Schema);
                }
                if (input.Dataset.Profile is not null)
                {
                    w.WriteString("profile", input.Dataset.Profile);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, ct);

    /// <summary>Searches runs with MLflow's filter grammar, e.g. <c>metrics.auc &gt; 0.8 AND params.learner = 'gbdt'</c>.</summary>
    public async Task<Page<Run>> SearchRunsAsync(IEnumerable<string> experimentIds, string? filter = null, IEnumerable<string>? orderBy = null,
        ViewType viewType = ViewType.ActiveOnly, int maxResults = 1000, string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.PostAsync("runs/search", w =>
        {
            w.WriteStartArray("experiment_ids");
            foreach (var id in experimentIds)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            w.WriteNumber("max_results", maxResults);
            w.WriteString("run_view_type", viewType.WireName());
            WriteSearchCommon(w, filter, orderBy, pageToken);
        }, ct);
        var items = doc.RootElement.TryGetProperty("runs", out var list) ? list.EnumerateArray().Select(ClientJson.Run).ToList() : [];
        return new Page<Run>(items, ClientJson.NextPageToken(doc.RootElement));
    }

    /// <summary>One page of a metric's full history.</summary>
    public async Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int? maxResults = null, string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("metrics/get-history",
            [("run_id", runId), ("metric_key", key), ("max_results", maxResults?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)], ct);
        var items = doc.RootElement.TryGetProperty("metrics", out var list) ? list.EnumerateArray().Select(ClientJson.Metric).ToList() : [];
        return new Page<Metric>(items, ClientJson.NextPageToken(doc.RootElement));
    }
}
