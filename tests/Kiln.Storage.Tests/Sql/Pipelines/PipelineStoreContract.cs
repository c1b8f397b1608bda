using Kiln.Core.Pipelines;

// Pipelines' part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    private static PipelineRun NewRun(string id, long t) =>
        new(id, "p", PipelineStatuses.Queued, PipelineTriggers.Manual, null, new Dictionary<string, string> { ["k"] = "v" }, "steps: {}", false, "ana", t, null, null, null, null);

    private static StepRun NewStep(string run, string name, string status, long readyAt, string labels = "") =>
        new(run, name, status, 0, 0, labels, readyAt, null, null, null, null, new Dictionary<string, string>(), null, null, null, null);

    [Fact]
    public async Task Pipeline_steps_are_claimed_oldest_first_once_each_and_only_by_workers_with_their_labels()
    {
        var store = Metadata.Pipelines;
        var t = Now();
        await store.CreateRunAsync(NewRun("r1", t), [NewStep("r1", "a", StepStatuses.Ready, t - 10), NewStep("r1", "gpu", StepStatuses.Ready, t - 20, "gpu"),
            NewStep("r1", "later", StepStatuses.Ready, t + 60_000), NewStep("r1", "b", StepStatuses.Pending, t - 30)]);
        var first = await store.ClaimAsync("w1", [""], t, t + 1000);
        Assert.Equal(("a", StepStatuses.Running, 1, "w1", PipelineStatuses.Running), (first!.Step.Step, first.Step.Status, first.Step.Attempt, first.Step.Worker, first.Run.Status));
        Assert.Null(await store.ClaimAsync("w1", [""], t, t + 1000)); // gpu needs a label, later is not due, b is pending
        var gpu = await store.ClaimAsync("w2", ["", "gpu", "highmem", "gpu,highmem"], t, t + 1000, onlyRun: "r1");
        Assert.Equal("gpu", gpu!.Step.Step);
        Assert.Null(await store.ClaimAsync("w2", ["", "gpu"], t, t + 1000, onlyRun: "other"));
        Assert.Equal(t, (await store.GetRunAsync("r1"))!.StartedAt);
    }

    [Fact]
    public async Task A_lease_is_kept_by_heartbeats_and_a_lapsed_one_is_claimed_again_by_another_worker()
    {
        var store = Metadata.Pipelines;
        var t = Now();
        await store.CreateRunAsync(NewRun("r2", t), [NewStep("r2", "a", StepStatuses.Ready, t)]);
        var claim = await store.ClaimAsync("w1", [""], t, t + 1000);
        Assert.True(await store.HeartbeatAsync("r2", "a", "w1", 1, t + 2000));
        Assert.False(await store.HeartbeatAsync("r2", "a", "w2", 1, t + 2000));
        Assert.Null(await store.ClaimAsync("w2", [""], t + 1500, t + 3000)); // renewed until t + 2000
        var retaken = await store.ClaimAsync("w2", [""], t + 2001, t + 5000);
        Assert.Equal(("a", "w2", 2), (retaken!.Step.Step, retaken.Step.Worker, retaken.Step.Attempt));
        Assert.False(await store.HeartbeatAsync("r2", "a", "w1", claim!.Step.Attempt, t + 9000)); // the old holder must stop
    }

    [Fact]
    public async Task Concurrent_claimers_never_take_the_same_step()
    {
        var store = Metadata.Pipelines;
        var t = Now();
        await store.CreateRunAsync(NewRun("r3", t), Enumerable.Range(0, 40).Select(i => NewStep("r3", $"s{i:D2}", StepStatuses.Ready, t)).ToList());
        await using var second = await OpenSecondAsync();
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = new List<string>();
            var queue = w % 2 == 0 ? store : second.Pipelines;
            while (await queue.ClaimAsync($"w{w}", [""], t, t + 60_000) is { } c)
            {
                mine.Add(c.Step.Step);
            }
            return mine;
        })));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(40, all.Count);
        Assert.Equal(40, all.Distinct().Count());
    }

    [Fact]
    public async Task Run_updates_are_decided_from_the_state_read_under_the_lock_and_the_cache_keeps_outputs()
    {
        var store = Metadata.Pipelines;
        var t = Now();
        await store.CreateRunAsync(NewRun("r4", t), [NewStep("r4", "a", StepStatuses.Ready, t), NewStep("r4", "b", StepStatuses.Pending, t)]);
        var changes = await store.UpdateRunAsync("r4", (run, steps) => new RunChanges(run with { Status = PipelineStatuses.Succeeded, FinishedAt = t + 5 },
            steps.Select(s => s with { Status = StepStatuses.Succeeded, Outputs = new Dictionary<string, string> { ["x"] = s.Step } }).ToList()));
        Assert.NotNull(changes);
        Assert.Null(await store.UpdateRunAsync("r4", (_, _) => null));
        Assert.Null(await store.UpdateRunAsync("missing", (run, steps) => new RunChanges(run, steps)));
        var run = await store.GetRunAsync("r4");
        Assert.Equal((PipelineStatuses.Succeeded, t + 5, "v"), (run!.Status, run.FinishedAt, run.Params["k"]));
        Assert.Equal(["a", "b"], (await store.StepsAsync("r4")).Select(s => s.Outputs["x"]));
        Assert.Equal(["r4"], (await store.ListRunsAsync("p", [PipelineStatuses.Succeeded], 10)).Select(r => r.Id).Where(id => id == "r4"));

        Assert.Null(await store.GetCachedAsync("k1"));
        await store.PutCachedAsync(new StepCacheEntry("k1", "p", "a", new Dictionary<string, string> { ["model"] = "runs:/x/model" }, "r4", "tr", t));
        await store.PutCachedAsync(new StepCacheEntry("k1", "p", "a", new Dictionary<string, string> { ["model"] = "runs:/y/model" }, "r5", null, t + 1));
        var hit = await store.GetCachedAsync("k1");
        Assert.Equal(("runs:/y/model", "r5", null), (hit!.Outputs["model"], hit.RunId, hit.TrackingRunId));

        await store.SaveAsync(new PipelineDefinition("p", "steps: {}", "h1", t, "ana"));
        await store.SaveAsync(new PipelineDefinition("p", "steps: {a: {run: x}}", "h2", t + 1, "bo"));
        Assert.Equal(("h2", "bo"), ((await store.GetAsync("p"))!.Hash, (await store.ListAsync()).Single(p => p.Name == "p").UpdatedBy));
        Assert.True(await store.DeleteAsync("p"));
        Assert.False(await store.DeleteAsync("p"));
    }
}
