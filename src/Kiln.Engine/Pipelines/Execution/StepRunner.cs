using System.Collections.Concurrent;
using System.Text;
using Kiln.Core.Pipelines;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Pipelines.Spec;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>
/// Runs one claimed step: replaces its expressions with the run's params and the outputs of the steps it needs, computes
/// its cache key and reuses a cached result when there is one (unless the run is forced), else records a tracking run (a
/// child of the pipeline run's), runs the operation or command under its timeout with its log captured, keeps the log as
/// the run's <c>step.log</c> artifact and caches a success.
/// </summary>
/// <param name="store">Runs, steps and the cache.</param>
/// <param name="tracking">Where step runs and logs are recorded.</param>
/// <param name="operations">The built-in operations.</param>
/// <param name="fingerprints">Cache keys.</param>
/// <param name="data">Data sets, for <c>datasets:/</c> inputs of commands (null without a local store).</param>
/// <param name="time">The clock.</param>
public sealed class StepRunner(IPipelineStore store, ITracking tracking, IEnumerable<IStepOperation> operations, Fingerprints fingerprints, DataService? data, TimeProvider time)
{
    private readonly Dictionary<string, IStepOperation> _operations = operations.ToDictionary(o => o.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PipelineSpec> _specs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<string>> _experiments = new(StringComparer.Ordinal);

    /// <summary>The experiment a pipeline's runs are recorded in.</summary>
    public static string ExperimentOf(string pipeline) => $"pipelines/{pipeline}";

    /// <summary>The spec a run ran with (parsed once per distinct file text, so a long-lived worker keeps one per version of a pipeline, not one per run).</summary>
    public PipelineSpec SpecOf(PipelineRun run) => _specs.GetOrAdd(run.SpecYaml, _ => PipelineSpecReader.Read(run.SpecYaml, run.Pipeline + ".yaml") is ({ } spec, { Count: 0 })
        ? spec
        : throw new InvalidOperationException($"pipeline run {run.Id} holds a spec that no longer validates."));

    /// <summary>Runs <paramref name="claim"/>'s step; never throws for the step's own failure (that is the outcome), only when <paramref name="ct"/> is cancelled.</summary>
    public async Task<StepOutcome> RunAsync(ClaimedStep claim, CancellationToken ct)
    {
        var run = claim.Run;
        var spec = SpecOf(run);
        var definition = spec.Step(claim.Step.Step)!;
        // The outputs of the steps it reads (only those are fetched: a step that reads none costs no read of its run's steps).
        var steps = References(definition) ? (await store.StepsAsync(run.Id, ct)).ToDictionary(s => s.Step, StringComparer.Ordinal)
            : new Dictionary<string, StepRun>(StringComparer.Ordinal);
        var log = new StringWriter(new StringBuilder());
        var synchronizedLog = TextWriter.Synchronized(log);
        StepContext context;
        string? key = null;
        try
        {
            string Resolve(string text) => Conditions.Substitute(text, run.Params, steps);
            context = new StepContext(run, definition, definition.With.ToDictionary(kv => kv.Key, kv => Resolve(kv.Value), StringComparer.Ordinal),
                definition.Inputs.Select(Resolve).ToList(), definition.Run is null ? new Dictionary<string, string>() : definition.Outputs.ToDictionary(kv => kv.Key, kv => Resolve(kv.Value)),
                synchronizedLog, null, ExperimentOf(run.Pipeline));
            var operation = definition.Uses is { } uses ? _operations.GetValueOrDefault(uses) ?? throw new StepRejectedException($"no operation '{uses}' in this Kiln.") : null;
            var state = operation is null ? [] : await operation.StateAsync(context, ct);
            if (state is not null)
            {
                key = await fingerprints.KeyAsync(context, state, ct);
                if (!run.Force && await store.GetCachedAsync(key, ct) is { } hit && OutputsExist(context) && (operation is null || await operation.StillHoldsAsync(context, hit.Outputs, ct)))
                {
                    return new StepOutcome(StepStatuses.Cached, hit.Outputs, null, key, hit.RunId, hit.TrackingRunId);
                }
            }
            var trackingRun = await StartTrackingRunAsync(run, definition, ct);
            context = context with { TrackingRunId = trackingRun };
            synchronizedLog.WriteLine($"[{Now()}] {run.Pipeline} run {run.Id} step {definition.Name}, attempt {claim.Step.Attempt}{(key is null ? "" : $", cache key {key[..12]}")}");
            StepOutcome outcome;
            try
            {
                outcome = await ExecuteAsync(context, operation, ct);
            }
            catch (OperationCanceledException)
            {
                synchronizedLog.WriteLine($"[{Now()}] stopped: the run was cancelled or this worker lost the step's lease.");
                await FinishTrackingRunAsync(trackingRun, new StepOutcome(StepStatuses.Cancelled, new Dictionary<string, string>(), null, null, null, null), log.ToString());
                throw;
            }
            synchronizedLog.WriteLine($"[{Now()}] {(outcome.Status == StepStatuses.Succeeded ? "succeeded" : "failed: " + outcome.Error)}");
            await FinishTrackingRunAsync(trackingRun, outcome, log.ToString());
            if (outcome.Status == StepStatuses.Succeeded && key is not null)
            {
                await store.PutCachedAsync(new StepCacheEntry(key, run.Pipeline, definition.Name, outcome.Outputs, run.Id, trackingRun, time.GetUtcNow().ToUnixTimeMilliseconds()), ct);
            }
            return outcome with { CacheKey = key, TrackingRunId = trackingRun };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Resolving inputs or the cache key failed (a missing data set, a model that is not registered): the step fails.
            return new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), e.Message, key, null, null, e is not (StepRejectedException or Core.Errors.KilnException));
        }
    }

    private async Task<StepOutcome> ExecuteAsync(StepContext context, IStepOperation? operation, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (context.Definition.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }
        var materialized = new List<string>();
        try
        {
            IReadOnlyDictionary<string, string> outputs;
            if (operation is not null)
            {
                outputs = await operation.RunAsync(context, timeout.Token);
            }
            else
            {
                var paths = new List<string>();
                foreach (var input in context.Inputs)
                {
                    if (DatasetReference.IsReference(input) && data is not null)
                    {
                        var (file, folder, _) = await data.MaterializeAsync(input, timeout.Token);
                        materialized.Add(folder);
                        paths.Add(file);
                    }
                    else
                    {
                        paths.Add(input);
                    }
                }
                outputs = await CommandStep.RunAsync(context, context.Definition.Run!, paths, timeout.Token);
            }
            return new StepOutcome(StepStatuses.Succeeded, outputs, null, null, null, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), $"timed out after {context.Definition.Timeout}.", null, null, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            context.Log.WriteLine(e is StepRejectedException or CommandFailedException or Core.Errors.KilnException ? e.Message : e.ToString());
            return new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), e.Message, null, null, null, e is not (StepRejectedException or Core.Errors.KilnException));
        }
        finally
        {
            foreach (var folder in materialized)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // a temporary copy; the OS cleans the temp folder
                }
            }
        }
    }

    private static bool References(PipelineStep step) =>
        step.With.Values.Concat(step.Inputs).Concat(step.Outputs.Values).Any(v => v.Contains("steps.", StringComparison.Ordinal));

    private static bool OutputsExist(StepContext context) => context.Outputs.Values.All(p => p.Length == 0 || File.Exists(p) || Directory.Exists(p));

    private async Task<string> StartTrackingRunAsync(PipelineRun run, PipelineStep definition, CancellationToken ct)
    {
        var experiment = await _experiments.GetOrAdd(run.Pipeline, name => tracking.GetOrCreateExperimentAsync(ExperimentOf(name), CancellationToken.None));
        var tags = new List<Tag>
        {
            new("kiln.pipeline.name", run.Pipeline), new("kiln.pipeline.run", run.Id), new("kiln.pipeline.step", definition.Name),
            new("kiln.pipeline.step_kind", definition.Uses ?? "run"),
        };
        if (run.TrackingRunId is { } parent)
        {
            tags.Add(new Tag("mlflow.parentRunId", parent));
        }
        return (await tracking.CreateRunAsync(experiment, run.User, definition.Name, null, tags, ct)).Info.RunId;
    }

    private async Task FinishTrackingRunAsync(string runId, StepOutcome outcome, string log)
    {
        // The log and the run's end are written even when the step was cancelled, so what happened is never lost.
        var (artifacts, root, _) = await tracking.RunArtifactsAsync(runId, CancellationToken.None);
        await using (var content = new MemoryStream(Encoding.UTF8.GetBytes(log)))
        {
            await artifacts.WriteAsync(Core.Artifacts.ArtifactPath.Join(root, "step.log"), content, CancellationToken.None);
        }
        var tags = outcome.Outputs.Take(50).Select(kv => new Tag($"kiln.output.{kv.Key}", kv.Value.Length > 5000 ? kv.Value[..5000] : kv.Value)).ToList();
        if (tags.Count > 0)
        {
            await tracking.LogBatchAsync(runId, [], [], tags, CancellationToken.None);
        }
        await tracking.UpdateRunAsync(runId, (outcome.Status switch { StepStatuses.Succeeded => RunStatus.Finished, StepStatuses.Cancelled => RunStatus.Killed, _ => RunStatus.Failed }).WireName(), time.GetUtcNow().ToUnixTimeMilliseconds(), null, CancellationToken.None);
    }

    private string Now() => time.GetUtcNow().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
}
