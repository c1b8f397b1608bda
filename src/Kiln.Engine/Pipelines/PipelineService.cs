using System.Security.Cryptography;
using System.Text;
using Kiln.Core.Errors;
using Kiln.Core.Pipelines;
using Kiln.Core.Tracking;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Pipelines.Spec;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Pipelines;

/// <summary>A run with its steps.</summary>
/// <param name="Run">The run.</param>
/// <param name="Steps">Its steps in file order.</param>
public sealed record PipelineRunDetail(PipelineRun Run, IReadOnlyList<StepRun> Steps);

/// <summary>
/// Pipelines as the CLI, REST and triggers use them: store a pipeline file (<c>apply</c>), queue a run with checked params
/// (recorded as a tracking run in experiment <c>pipelines/NAME</c>, its steps as child runs), read runs and their steps,
/// cancel, resume a failed run from its failed steps, and read a step's log. Workers do the running.
/// </summary>
/// <param name="store">Pipelines, runs, steps.</param>
/// <param name="tracking">Tracking runs and logs.</param>
/// <param name="time">The clock.</param>
public sealed class PipelineService(IPipelineStore store, ITracking tracking, TimeProvider time)
{
    /// <summary>Raised after a run is queued or resumed in this process (the embedded worker wakes on it).</summary>
    public event Action<PipelineRun>? Queued;

    /// <summary>Validates and stores a pipeline file so that servers, workers and triggers know it.</summary>
    public async Task<PipelineDefinition> ApplyAsync(string yaml, string file, string user, CancellationToken ct = default)
    {
        var spec = Check(yaml, file);
        var definition = new PipelineDefinition(spec.Name, yaml, Hash(yaml), Now(), user);
        await store.SaveAsync(definition, ct);
        return definition;
    }

    /// <summary>The stored pipelines.</summary>
    public Task<IReadOnlyList<PipelineDefinition>> ListAsync(CancellationToken ct = default) => store.ListAsync(ct);

    /// <summary>The stored pipeline <paramref name="name"/>.</summary>
    public async Task<PipelineDefinition> GetAsync(string name, CancellationToken ct = default) =>
        await store.GetAsync(name, ct) ?? throw KilnException.NotFound($"No pipeline '{name}' is stored. Store it with kiln pipeline apply pipelines/{name}.yaml, or run the file directly.");

    /// <summary>Deletes a stored pipeline (its runs stay).</summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        if (!await store.DeleteAsync(name, ct))
        {
            throw KilnException.NotFound($"No pipeline '{name}' is stored.");
        }
    }

    /// <summary>
    /// Queues a run of the pipeline in <paramref name="yaml"/> with <paramref name="given"/> params (checked against their
    /// types; defaults fill the rest). <paramref name="force"/> reruns every step, cached or not.
    /// </summary>
    /// <remarks><paramref name="hold"/> queues it behind an active run (<c>concurrency: queue</c>): it waits until <see cref="ReleaseWaitingAsync"/> starts it.</remarks>
    public async Task<PipelineRun> StartAsync(string yaml, string file, IReadOnlyDictionary<string, string> given, string trigger, string? cause, bool force, string user,
        CancellationToken ct = default, bool hold = false)
    {
        var spec = Check(yaml, file);
        var parameters = Params(spec, given);
        var now = Now();
        var id = Guid.NewGuid().ToString("N");
        var experiment = await tracking.GetOrCreateExperimentAsync(StepRunner.ExperimentOf(spec.Name), ct);
        var trackingRun = await tracking.CreateRunAsync(experiment, user, $"{spec.Name} ({trigger})", now,
            [new Tag("kiln.pipeline.name", spec.Name), new Tag("kiln.pipeline.run", id), new Tag("kiln.pipeline.trigger", trigger), new Tag("kiln.pipeline.cause", Clip(cause ?? ""))], ct);
        await tracking.LogBatchAsync(trackingRun.Info.RunId, [], parameters.Select(p => new Param(p.Key, Clip(p.Value))).ToList(), [], ct);
        var run = new PipelineRun(id, spec.Name, hold ? PipelineStatuses.Waiting : PipelineStatuses.Queued, trigger, cause, parameters, yaml, force, user, now, null, null, null,
            trackingRun.Info.RunId);
        var steps = PipelineDag.Initial(spec, run, now, hold);
        if (!hold && steps.All(s => s.IsFinished))
        {
            run = run with { Status = PipelineStatuses.Succeeded, StartedAt = now, FinishedAt = now }; // every step skipped by its condition
        }
        await store.CreateRunAsync(run, steps, ct);
        await EndTrackingRunAsync(run);
        Queued?.Invoke(run);
        return run;
    }

    /// <summary>Starts the oldest waiting run of each pipeline that has no queued or running run; returns those started.</summary>
    public async Task<IReadOnlyList<PipelineRun>> ReleaseWaitingAsync(CancellationToken ct = default)
    {
        var started = new List<PipelineRun>();
        var waiting = await store.ListRunsAsync(null, [PipelineStatuses.Waiting], 1000, ct);
        foreach (var pipeline in waiting.GroupBy(r => r.Pipeline))
        {
            if ((await store.ListRunsAsync(pipeline.Key, [PipelineStatuses.Queued, PipelineStatuses.Running], 1, ct)).Count > 0)
            {
                continue;
            }
            var oldest = pipeline.MinBy(r => r.CreatedAt)!;
            var spec = Check(oldest.SpecYaml, oldest.Pipeline + ".yaml");
            if (await store.UpdateRunAsync(oldest.Id, (run, steps) => PipelineDag.Release(spec, run, steps, Now()), ct) is { Run: { } released })
            {
                started.Add(released);
                Queued?.Invoke(released);
            }
        }
        return started;
    }

    /// <summary>A run with its steps.</summary>
    public async Task<PipelineRunDetail> GetRunAsync(string id, CancellationToken ct = default)
    {
        var run = await store.GetRunAsync(id, ct) ?? throw KilnException.NotFound($"No pipeline run '{id}'. kiln pipeline list shows the recent ones.");
        return new PipelineRunDetail(run, await store.StepsAsync(id, ct));
    }

    /// <summary>The newest runs, of one pipeline or all.</summary>
    public Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? pipeline, IReadOnlyList<string>? statuses = null, int max = 50, CancellationToken ct = default) =>
        store.ListRunsAsync(pipeline, statuses, max, ct);

    /// <summary>Cancels a run that has not finished: its steps stop at their next heartbeat.</summary>
    public async Task<PipelineRun> CancelAsync(string id, string user, CancellationToken ct = default)
    {
        var current = (await GetRunAsync(id, ct)).Run;
        if (current.IsFinished)
        {
            throw KilnException.InvalidState($"Pipeline run {id} has already {current.Status}; only a queued or running run can be cancelled.");
        }
        var changes = await store.UpdateRunAsync(id, (run, steps) => PipelineDag.Cancel(run, steps, $"cancelled by {user}.", Now()), ct);
        var after = changes?.Run ?? (await GetRunAsync(id, ct)).Run;
        await EndTrackingRunAsync(after);
        return after;
    }

    /// <summary>Resumes a failed or cancelled run from its failed, blocked and cancelled steps; steps that succeeded keep their outputs.</summary>
    public async Task<PipelineRun> ResumeAsync(string id, CancellationToken ct = default)
    {
        var current = (await GetRunAsync(id, ct)).Run;
        if (current.Status is not (PipelineStatuses.Failed or PipelineStatuses.Cancelled))
        {
            throw KilnException.InvalidState($"Pipeline run {id} is {current.Status}; only a failed or cancelled run can be resumed.");
        }
        var spec = Check(current.SpecYaml, current.Pipeline + ".yaml");
        var changes = await store.UpdateRunAsync(id, (run, steps) => run.Status is PipelineStatuses.Failed or PipelineStatuses.Cancelled ? PipelineDag.Resume(spec, run, steps, Now()) : null, ct)
            ?? throw KilnException.Conflict($"Pipeline run {id} changed while resuming it; look at it again with kiln pipeline status {id}.");
        if (current.TrackingRunId is { } trackingRun)
        {
            await tracking.UpdateRunAsync(trackingRun, "RUNNING", null, null, ct);
        }
        var resumed = changes.Run!;
        Queued?.Invoke(resumed);
        return resumed;
    }

    /// <summary>The log of a step's latest attempt (its tracking run's <c>step.log</c>), or null when it has none (not run yet, or a cache hit without one).</summary>
    public async Task<string?> LogAsync(StepRun step, CancellationToken ct = default)
    {
        if (step.TrackingRunId is not { } runId)
        {
            return null;
        }
        try
        {
            var (artifacts, root, _) = await tracking.RunArtifactsAsync(runId, ct);
            await using var stream = await artifacts.OpenReadAsync(Core.Artifacts.ArtifactPath.Join(root, "step.log"), ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or KilnException { Code: ErrorCode.ResourceDoesNotExist })
        {
            return null;
        }
    }

    /// <summary>Waits until the run finishes, polling the store.</summary>
    public async Task<PipelineRunDetail> WaitAsync(string id, TimeSpan poll, Action<PipelineRunDetail>? progress = null, CancellationToken ct = default)
    {
        while (true)
        {
            var detail = await GetRunAsync(id, ct);
            progress?.Invoke(detail);
            if (detail.Run.IsFinished)
            {
                return detail;
            }
            await Task.Delay(poll, ct);
        }
    }

    /// <summary>The params a run gets: every given one checked (declared, of its type), the rest from defaults (one without a default must be given).</summary>
    public static Dictionary<string, string> Params(PipelineSpec spec, IReadOnlyDictionary<string, string> given)
    {
        var problems = new List<string>();
        foreach (var name in given.Keys.Where(k => spec.Params.All(p => p.Name != k)))
        {
            problems.Add($"'{name}' is not a param of {spec.Name} (its params: {(spec.Params.Count == 0 ? "none" : string.Join(", ", spec.Params.Select(p => p.Name)))})");
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in spec.Params)
        {
            if (given.TryGetValue(param.Name, out var value) || param.Default is { } && (value = param.Default) is not null)
            {
                if (ParamTypes.Check(param.Type, value) is { } why)
                {
                    problems.Add($"param '{param.Name}' is a {ParamTypes.Name(param.Type)}: {why}");
                }
                result[param.Name] = value;
            }
            else
            {
                problems.Add($"param '{param.Name}' ({ParamTypes.Name(param.Type)}) has no default: give it with -p {param.Name}=VALUE");
            }
        }
        return problems.Count == 0 ? result : throw KilnException.Invalid($"Cannot run {spec.Name}: {string.Join("; ", problems)}.");
    }

    /// <summary>Reads and validates a pipeline file, or throws with every problem listed.</summary>
    public static PipelineSpec Check(string yaml, string file)
    {
        var (spec, errors) = PipelineSpecReader.Read(yaml, file);
        return errors.Count == 0 && spec is not null
            ? spec
            : throw KilnException.Invalid($"The pipeline file has {errors.Count} problem(s):\n{string.Join("\n", errors.Select(e => e.ToString()))}");
    }

    private Task EndTrackingRunAsync(PipelineRun run) => EndTrackingRunAsync(tracking, run);

    /// <summary>Ends a finished pipeline run's tracking run with the matching status (FINISHED, KILLED or FAILED); nothing while it runs.</summary>
    internal static async Task EndTrackingRunAsync(ITracking tracking, PipelineRun run)
    {
        if (run is { IsFinished: true, TrackingRunId: { } trackingRun })
        {
            var status = run.Status == PipelineStatuses.Succeeded ? RunStatus.Finished : run.Status == PipelineStatuses.Cancelled ? RunStatus.Killed : RunStatus.Failed;
            await tracking.UpdateRunAsync(trackingRun, status.WireName(), run.FinishedAt, null, CancellationToken.None);
        }
    }

    private static string Hash(string yaml) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));

    private static string Clip(string text) => text.Length > 500 ? text[..500] : text;

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
