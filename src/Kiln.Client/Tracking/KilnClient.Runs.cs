using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Creates a run in an experiment (MLflow's <c>runs/create</c>); the run starts in status RUNNING.</summary>
    /// <param name="experimentId">The experiment to create the run in; it must exist and be active.</param>
    /// <param name="runName">The run's name (at most 500 characters); null (the default) lets the server generate one.</param>
    /// <param name="tags">Tags to set on the run (keys at most 250 characters, values at most 8000); null (the default) sets none.</param>
    /// <param name="startTime">Start time in milliseconds since the Unix epoch; null (the default) is now.</param>
    /// <param name="userId">The user who owns the run; null (the default) is <see cref="Environment.UserName"/>.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new run, with its id, artifact URI and the tags it was created with.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown experiment or <c>INVALID_PARAMETER_VALUE</c> for a deleted one or an invalid tag.</exception>
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
            w.WriteNumber("start_time", startTime ?? NowMs());
            MlflowJson.WriteTags(w, "tags", AsTags(tags));
        }, ct);
        return MlflowJson.ReadRun(doc.RootElement.GetProperty("run"));
    }

    /// <summary>Creates a run and returns a handle whose logging calls return at once and are sent in background batches.</summary>
    /// <param name="experimentId">The experiment to create the run in; it must exist and be active.</param>
    /// <param name="runName">The run's name; null (the default) lets the server generate one.</param>
    /// <param name="tags">Tags to set on the run; null (the default) sets none.</param>
    /// <param name="ct">Cancels creating the run (not the background sending).</param>
    /// <returns>The running run; dispose it (<c>await using</c>) to flush what was logged and end the run as FINISHED.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server could not create the run (see <see cref="CreateRunAsync"/>).</exception>
    public async Task<ActiveRun> StartRunAsync(string experimentId, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        var run = await CreateRunAsync(experimentId, runName, tags, ct: ct);
        return new ActiveRun(this, run.Info);
    }

    /// <summary>Gets a run with its latest metrics, params, tags and dataset inputs (MLflow's <c>runs/get</c>).</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The run, deleted or not (see <see cref="RunInfo.LifecycleStage"/>).</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if there is no such run.</exception>
    public async Task<Run> GetRunAsync(string runId, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("runs/get", [("run_id", runId)], ct);
        return MlflowJson.ReadRun(doc.RootElement.GetProperty("run"));
    }

    /// <summary>Changes a run's status, end time or name (MLflow's <c>runs/update</c>); only the arguments given are changed.</summary>
    /// <param name="runId">The run's id; the run must be active (not deleted).</param>
    /// <param name="status">The new status, e.g. <see cref="RunStatus.Finished"/>; null (the default) keeps the current one.</param>
    /// <param name="endTime">End time in milliseconds since the Unix epoch; null (the default) keeps the current one.</param>
    /// <param name="runName">The new name (also the <c>mlflow.runName</c> tag); null or empty (the default) keeps the current one.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The run's info after the update.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> for an unknown run or <c>INVALID_PARAMETER_VALUE</c> for a deleted one.</exception>
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
        return MlflowJson.ReadRunInfo(doc.RootElement.GetProperty("run_info"));
    }

    /// <summary>Soft-deletes a run (MLflow's <c>runs/delete</c>): it leaves active-only searches and can be brought back with <see cref="RestoreRunAsync"/>.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if there is no such run.</exception>
    public Task DeleteRunAsync(string runId, CancellationToken ct = default) => PostAsync("runs/delete", w => w.WriteString("run_id", runId), ct);

    /// <summary>Restores a deleted run to active (MLflow's <c>runs/restore</c>).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if there is no such run.</exception>
    public Task RestoreRunAsync(string runId, CancellationToken ct = default) => PostAsync("runs/restore", w => w.WriteString("run_id", runId), ct);

    /// <summary>Logs one metric point now (a round trip). In a training loop prefer <see cref="ActiveRun.LogMetric"/>.</summary>
    /// <remarks>MLflow's <c>runs/log-metric</c>.</remarks>
    /// <param name="runId">The run's id; the run must be active.</param>
    /// <param name="key">The metric's name: at most 250 characters of letters, digits, <c>_ - . /</c> and spaces.</param>
    /// <param name="value">The value; NaN and infinities are allowed.</param>
    /// <param name="step">The training step; defaults to 0.</param>
    /// <param name="timestamp">Milliseconds since the Unix epoch; null (the default) is now.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for an invalid key or a deleted run.</exception>
    public Task LogMetricAsync(string runId, string key, double value, long step = 0, long? timestamp = null, CancellationToken ct = default) =>
        PostAsync("runs/log-metric", w =>
        {
            w.WriteString("run_id", runId);
            MlflowJson.WriteMetricFields(w, new Metric(key, value, timestamp ?? NowMs(), step));
        }, ct);

    /// <summary>Logs a param (MLflow's <c>runs/log-parameter</c>): a key at most 250 characters, a value at most 6000.</summary>
    /// <remarks>A param cannot change: logging a key again with the same value does nothing, with another value fails.</remarks>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for a changed value, an invalid key or a deleted run.</exception>
    public Task LogParamAsync(string runId, string key, string value, CancellationToken ct = default) =>
        PostAsync("runs/log-parameter", w => { w.WriteString("run_id", runId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    /// <summary>Sets a run tag, replacing any value it had (MLflow's <c>runs/set-tag</c>): a key at most 250 characters, a value at most 8000.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for an invalid key or a deleted run.</exception>
    public Task SetTagAsync(string runId, string key, string value, CancellationToken ct = default) =>
        PostAsync("runs/set-tag", w => { w.WriteString("run_id", runId); w.WriteString("key", key); w.WriteString("value", value); }, ct);

    /// <summary>Deletes a run tag (MLflow's <c>runs/delete-tag</c>).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if the run has no such tag.</exception>
    public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) =>
        PostAsync("runs/delete-tag", w => { w.WriteString("run_id", runId); w.WriteString("key", key); }, ct);

    /// <summary>Logs metrics, params and tags in one request, all or nothing (at most 1000 metrics, 100 params, 100 tags).</summary>
    /// <remarks>MLflow's <c>runs/log-batch</c>. The three lists together hold at most 1000 entries; Kiln also caps the request body at 1 MiB.</remarks>
    /// <param name="runId">The run's id; the run must be active.</param>
    /// <param name="metrics">Metric points (NaN and infinities allowed); null (the default) logs none.</param>
    /// <param name="parameters">Params; a key already logged with another value fails the batch. Null (the default) logs none.</param>
    /// <param name="tags">Tags, replacing any values they had; null (the default) sets none.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the batch and stored none of it, e.g. <c>INVALID_PARAMETER_VALUE</c> for a limit exceeded, an invalid key or a changed param.</exception>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric>? metrics = null, IReadOnlyList<Param>? parameters = null, IReadOnlyList<Tag>? tags = null, CancellationToken ct = default) =>
        PostAsync("runs/log-batch", w =>
        {
            w.WriteString("run_id", runId);
            MlflowJson.WriteMetrics(w, "metrics", metrics ?? []);
            MlflowJson.WriteParams(w, "params", parameters ?? []);
            MlflowJson.WriteTags(w, "tags", tags ?? []);
        }, ct);

    /// <summary>Records datasets the run read (MLflow's log-inputs).</summary>
    /// <param name="runId">The run's id; the run must be active.</param>
    /// <param name="inputs">The datasets, each with a non-empty name and digest, and their input tags (e.g. <c>mlflow.data.context</c>).</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for a dataset without a name or digest.</exception>
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default) =>
        PostAsync("runs/log-inputs", w =>
        {
            w.WriteString("run_id", runId);
            MlflowJson.WriteDatasetInputs(w, "datasets", inputs);
        }, ct);

    /// <summary>Searches runs with MLflow's filter grammar, e.g. <c>metrics.auc &gt; 0.8 AND params.learner = 'gbdt'</c>.</summary>
    /// <remarks>MLflow's <c>runs/search</c>. Pass the previous page's <see cref="Page{T}.NextPageToken"/> to read the next page.</remarks>
    /// <param name="experimentIds">The experiments to search in.</param>
    /// <param name="filter">The filter; null (the default) matches every run.</param>
    /// <param name="orderBy">Terms such as <c>metrics.auc DESC</c> or <c>attributes.start_time</c>; null (the default) orders by start time, newest first.</param>
    /// <param name="viewType">Active, deleted or all runs; defaults to <see cref="ViewType.ActiveOnly"/>.</param>
    /// <param name="maxResults">Page size, 1 to 50,000; defaults to 1000.</param>
    /// <param name="pageToken">The token of the page to read; null (the default) reads the first page.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>One page of runs; its <see cref="Page{T}.NextPageToken"/> is null on the last page.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for a bad filter, order or page size.</exception>
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
        return MlflowJson.ReadPage(doc.RootElement, "runs", MlflowJson.ReadRun);
    }

    /// <summary>Records a model logged in a run (MLflow's <c>runs/log-model</c>), so that tools listing the run's models see it.</summary>
    /// <remarks>The server appends the document to the run's <c>mlflow.log-model.history</c> tag.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="modelJson">The model's MLmodel document as JSON, with at least <c>artifact_path</c>, <c>flavors</c>, <c>utc_time_created</c> and <c>run_id</c>.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>INVALID_PARAMETER_VALUE</c> for a document missing a mandatory field.</exception>
    public Task LogModelAsync(string runId, string modelJson, CancellationToken ct = default) =>
        PostAsync("runs/log-model", w =>
        {
            w.WriteString("run_id", runId);
            w.WriteString("model_json", modelJson);
        }, ct);

    /// <summary>One page of a metric's full history.</summary>
    /// <remarks>MLflow's <c>metrics/get-history</c>; points come ordered by step, then timestamp.</remarks>
    /// <param name="runId">The run's id.</param>
    /// <param name="key">The metric's name.</param>
    /// <param name="maxResults">Page size, 1 to 25,000; null (the default) is the server's largest page (25,000 on Kiln).</param>
    /// <param name="pageToken">The token of the page to read; null (the default) reads the first page.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>One page of points (empty if the metric was never logged); its <see cref="Page{T}.NextPageToken"/> is null on the last page.</returns>
    /// <exception cref="Kiln.Core.Errors.KilnException">The server rejected the call, e.g. <c>RESOURCE_DOES_NOT_EXIST</c> if there is no such run.</exception>
    public async Task<Page<Metric>> GetMetricHistoryAsync(string runId, string key, int? maxResults = null, string? pageToken = null, CancellationToken ct = default)
    {
        using var doc = await _rest.GetAsync("metrics/get-history",
            [("run_id", runId), ("metric_key", key), ("max_results", maxResults?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)], ct);
        return MlflowJson.ReadPage(doc.RootElement, "metrics", e => MlflowJson.ReadMetric(e));
    }
}
