using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Tabular;

namespace Kiln.Server.Serving;

/// <summary>
/// The one path every scoring protocol takes (MLflow's <c>/invocations</c>, the Open Inference Protocol over REST and
/// gRPC): a slot from the <see cref="ScoringLimiter"/>, the deployment's route and its model, the protocol's rows (checked
/// against <see cref="ServingLimits.MaxRows"/>), the prediction, the prediction log and the metrics, the protocol's
/// answer, then the shadow routes' copies. Only reading the rows and writing the answer differ by protocol.
/// </summary>
public sealed class ScoringPath(DeploymentCache deployments, ServedModels models, PredictionLogWriter log, ServingMetrics metrics,
    ScoringLimiter limiter, ServingLimits limits, ILogger<ScoringPath> logger)
{
    /// <summary>The limits requests are held to.</summary>
    public ServingLimits Limits => limits;

    /// <summary>
    /// Scores one request: <paramref name="read"/> reads its rows for the model the route serves, <paramref name="answer"/>
    /// answers. Counted in the metrics under its deployment, route, version and (HTTP) status, failures too.
    /// </summary>
    public async Task ScoreAsync(ScoringRequest request, Func<ServedModel, bool, CancellationToken, ValueTask<ScoringInput>> read, Func<Scored, ValueTask> answer,
        CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (route, version) = ("", "");
        try
        {
            Scored scored;
            using (await limiter.AcquireAsync(ct))
            {
                var others = limiter.Scoring > 1;
                var (deployment, picked, served) = await ResolveAsync(request, ct);
                (route, version) = (picked.Name, served.Version is { } v ? v.Version.ToString(CultureInfo.InvariantCulture) : "");
                // drawn before the body is read: only a logged request keeps where each number sits in it
                var sampled = log.Sample();
                var logged = sampled && log.Draw();
                var (table, raw, body) = await read(served, logged, ct);
                using var bodyBytes = body; // the pooled arrays go back once the rows are logged (the raw cells' first)
                using var rawText = raw;
                limits.CheckRows(table.RowCount);
                var clock = Stopwatch.StartNew();
                var outputs = await served.PredictAsync(table, picked.Batching, ct, serial: others);
                var latency = clock.Elapsed.TotalMilliseconds;
                metrics.Predictions(deployment.Name, picked.Name, served.Model.Schema.Task, outputs, table.RowCount);
                scored = new Scored(deployment, picked, served, table, outputs, RequestId(request.RequestId));
                if (sampled && !logged)
                {
                    log.CountShed(table.RowCount);
                }
                if (logged)
                {
                    Log(scored.Deployment.Name, picked, served, table, outputs, scored.RequestId, latency, raw);
                }
                await answer(scored);
                ScoreShadows(scored, logged);
            }
            metrics.Request(request.Deployment, route, version, 200, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.Request(request.Deployment, route, version, ServingMetrics.Status(e), Stopwatch.GetElapsedTime(started).TotalSeconds);
            throw;
        }
    }

    /// <summary>
    /// The deployment, the route that answers <paramref name="request"/> and the model it serves (loaded on first use; a
    /// failed load is counted). A version the request names that the route does not serve is RESOURCE_DOES_NOT_EXIST.
    /// </summary>
    public async Task<(Deployment Deployment, DeploymentRoute Route, ServedModel Served)> ResolveAsync(ScoringRequest request, CancellationToken ct)
    {
        var deployment = await deployments.GetAsync(request.Deployment, ct);
        var route = Router.Pick(deployment, request.Route);
        ServedModel served;
        try
        {
            served = await models.GetAsync(route.Model, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.LoadFailure(route.Model);
            throw;
        }
        if (request.Version is { Length: > 0 } wanted && served.Version is { } actual && actual.Version.ToString(CultureInfo.InvariantCulture) != wanted)
        {
            throw KilnException.NotFound($"Deployment '{deployment.Name}' serves version {actual.Version} on route '{route.Name}', not version {wanted}.");
        }
        return (deployment, route, served);
    }

    /// <summary>The caller's request id (letters, digits, '-', '_', '.', ':' up to 128), else a new one: ground truth is posted against it.</summary>
    private static string RequestId(string? given) =>
        given is { Length: > 0 and <= 128 } && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':') ? given : RequestIds.Next();

    private void ScoreShadows(Scored scored, bool logged)
    {
        foreach (var shadow in scored.Deployment.Routes.Where(r => r.Shadow))
        {
            // a copy of the request, scored after the answer left; its answer is never returned (the prediction log will keep it)
            _ = Task.Run(async () =>
            {
                try
                {
                    var model = await models.GetAsync(shadow.Model, CancellationToken.None);
                    var watch = Stopwatch.StartNew();
                    var outputs = await model.PredictAsync(scored.Table, shadow.Batching, CancellationToken.None, serial: true);
                    if (logged)
                    {
                        Log(scored.Deployment.Name, shadow, model, scored.Table, outputs, scored.RequestId, watch.Elapsed.TotalMilliseconds);
                    }
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Shadow route {Route} of deployment {Deployment} failed", shadow.Name, scored.Deployment.Name);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// Queues one row per scored row (the first under the request id, the others as ID:ROW), encoded into the log
    /// writer's batch now, so nothing of the request waits for the writer. Never waits.
    /// </summary>
    private void Log(string deployment, DeploymentRoute route, ServedModel served, Table table, double[] outputs, string requestId, double latency, RawCells? raw = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var source = Sources.GetValue(served, _ => new ConcurrentDictionary<(string, string, bool), PredictionSource>())
            .GetOrAdd((deployment, route.Name, route.Shadow), static (key, served) => new PredictionSource(key.Item1, key.Item2, served.Version?.Name, served.Version?.Version, key.Item3,
                LogJson.InputNames(served.Model.Schema)), served);
        log.TryLog(table.RowCount, rows => new LogJson(table, served.Model.Schema, raw).AddRows(rows, source, requestId, now, latency, outputs));
    }

    /// <summary>Each served model's log sources, by deployment, route and shadow (one object shared by all their rows).</summary>
    private static readonly ConditionalWeakTable<ServedModel, ConcurrentDictionary<(string, string, bool), PredictionSource>> Sources = [];
}
