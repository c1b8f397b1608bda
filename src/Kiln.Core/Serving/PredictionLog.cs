namespace Kiln.Core.Serving;

/// <summary>One served prediction (one row of a request), as the prediction log keeps it for monitoring.</summary>
/// <param name="RequestId">The request's id, with <c>:ROW</c> appended for rows after the first of a multi-row request.</param>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The route that answered (or the shadow route that scored a copy).</param>
/// <param name="ModelName">The registered model, when the route named one.</param>
/// <param name="ModelVersion">Its version, when the route named one.</param>
/// <param name="Time">Unix milliseconds.</param>
/// <param name="LatencyMs">The request's scoring time.</param>
/// <param name="Inputs">The row's features as a JSON object.</param>
/// <param name="Outputs">The row's answer as JSON.</param>
/// <param name="Shadow">Whether a shadow route made it (never returned to the caller).</param>
/// <param name="Label">Ground truth, once it arrives (null until then).</param>
public sealed record PredictionRecord(string RequestId, string Deployment, string Route, string? ModelName, int? ModelVersion, long Time, double LatencyMs,
    string Inputs, string Outputs, bool Shadow, string? Label = null);

/// <summary>The prediction log: appended in batches off the request path; ground truth joined later by request id.</summary>
public interface IPredictionLog
{
    /// <summary>Appends a batch in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default);

    /// <summary>Appends a batch of UTF-8 encoded rows (the serving writer's) in one transaction.</summary>
    Task AppendAsync(PredictionRows rows, CancellationToken ct = default);

    /// <summary>Joins ground truth to logged predictions; returns the request ids not found.</summary>
    Task<IReadOnlyList<string>> AddLabelsAsync(IReadOnlyList<(string RequestId, string Label)> labels, long time, CancellationToken ct = default);

    /// <summary>A deployment's records at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<PredictionRecord>> ReadAsync(string deployment, long since, int limit, CancellationToken ct = default);

    /// <summary>The newest <paramref name="limit"/> records one route answered (shadows excluded) at or after
    /// <paramref name="since"/>, oldest first: a monitoring window of a busy deployment is its most recent traffic.</summary>
    Task<IReadOnlyList<PredictionRecord>> ReadLatestAsync(string deployment, string route, long since, int limit, CancellationToken ct = default);

    /// <summary>Records one route answered (shadows excluded) with <paramref name="from"/> ≤ time &lt; <paramref name="to"/>,
    /// oldest first, at most <paramref name="limit"/>; <paramref name="labelledOnly"/> keeps those whose label arrived, read
    /// without their inputs (empty), as realised performance needs only the answer and the label.</summary>
    Task<IReadOnlyList<PredictionRecord>> ReadRangeAsync(string deployment, string route, long from, long to, int limit, bool labelledOnly = false,
        CancellationToken ct = default);
}
