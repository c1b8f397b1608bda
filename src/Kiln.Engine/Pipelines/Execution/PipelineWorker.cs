using Kiln.Core.Pipelines;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>How a worker claims and holds steps.</summary>
/// <param name="Slots">Steps it runs at once.</param>
/// <param name="Labels">Its labels (a step needing labels goes only to a worker that has them all).</param>
/// <param name="Lease">How long a claim lasts without a heartbeat; a step whose worker died is claimed again after it.</param>
/// <param name="Poll">How long an idle worker waits before looking for work again (it looks at once after finishing a step).</param>
/// <param name="OnlyRun">Claim only this run's steps (<c>kiln pipeline run</c> runs its own run and nothing else), or null.</param>
public sealed record WorkerOptions(int Slots, IReadOnlyList<string> Labels, TimeSpan Lease, TimeSpan Poll, string? OnlyRun = null)
{
    /// <summary>Four slots, no labels, a 30 s lease, a 250 ms poll.</summary>
    public static WorkerOptions Default { get; } = new(4, [], TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
}

/// <summary>
/// A worker: claims steps from the store's queue (any number of workers, in any number of processes, share one store),
/// runs each under a lease it renews every third of the lease, stops a step whose lease it lost (the run was cancelled,
/// or it stalled so long that another worker took over), and records each outcome, which readies the steps that needed it.
/// </summary>
/// <param name="store">The queue.</param>
/// <param name="runner">Runs claimed steps.</param>
/// <param name="tracking">Where the pipeline runs' tracking runs are ended.</param>
/// <param name="options">Slots, labels, lease and poll.</param>
/// <param name="time">The clock.</param>
public sealed class PipelineWorker(IPipelineStore store, StepRunner runner, ITracking tracking, WorkerOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly IReadOnlyList<string> _labelKeys = PipelineDag.ClaimableLabelKeys(options.Labels);

    /// <summary>This worker's id in the store: host, process and a random part.</summary>
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Raised after a step's outcome is recorded (with the run's changes).</summary>
    public event Action<RunChanges>? Recorded;

    /// <summary>Raised when a claim failed because the store could not be reached (the worker tries again shortly).</summary>
    public event Action<Exception>? ClaimFailed;

    /// <summary>Claims and runs steps until <paramref name="ct"/> is cancelled (running steps are stopped; their leases run out and another worker takes them).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(options.Slots);
        var running = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await slots.WaitAsync(ct);
                ClaimedStep? claim;
                try
                {
                    var now = Now();
                    claim = await store.ClaimAsync(Id, _labelKeys, now, now + (long)options.Lease.TotalMilliseconds, options.OnlyRun, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable for now (a restart, a network blip): look again later; held steps keep their leases.
                    slots.Release();
                    ClaimFailed?.Invoke(e);
                    await Task.Delay(options.Poll * 8, ct);
                    continue;
                }
                if (claim is null)
                {
                    slots.Release();
                    await _wake.WaitAsync(options.Poll, ct);
                    continue;
                }
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await ExecuteAsync(claim, ct);
                    }
                    finally
                    {
                        slots.Release();
                        _wake.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // steps stopped with the worker
        }
    }

    /// <summary>Looks for work at once (e.g. after a run was queued in this process).</summary>
    public void Wake() => _wake.Release();

    private async Task ExecuteAsync(ClaimedStep claim, CancellationToken ct)
    {
        var step = claim.Step;
        var spec = runner.SpecOf(claim.Run);
        StepOutcome outcome;
        if (step.Attempt - step.Failures - 1 > PipelineDag.LostLeaseAllowance)
        {
            outcome = new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), $"its worker was lost {step.Attempt - step.Failures - 1} times (lease ran out without a heartbeat).",
                null, null, null, Retryable: false);
        }
        else
        {
            using var held = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var beating = HeartbeatAsync(step, held);
            try
            {
                outcome = await runner.RunAsync(claim, held.Token);
            }
            catch (OperationCanceledException)
            {
                return; // cancelled, lease lost or worker stopping: whoever holds the step now records it
            }
            finally
            {
                await held.CancelAsync();
                await beating;
            }
        }
        var changes = await store.UpdateRunAsync(step.RunId, (run, steps) => PipelineDag.Finish(spec, run, steps, step.Step, Id, step.Attempt, outcome, Now()), CancellationToken.None);
        if (changes is null)
        {
            return;
        }
        if (changes.Run is { } run)
        {
            await PipelineService.EndTrackingRunAsync(tracking, run);
        }
        Recorded?.Invoke(changes);
    }

    private async Task HeartbeatAsync(StepRun step, CancellationTokenSource held)
    {
        var every = options.Lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, held.Token);
                bool holds;
                try
                {
                    holds = await store.HeartbeatAsync(step.RunId, step.Step, Id, step.Attempt, Now() + (long)options.Lease.TotalMilliseconds, held.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    continue; // the store is briefly unreachable: try again at the next beat, the lease has two more beats of slack
                }
                if (!holds)
                {
                    await held.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the step ended
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
