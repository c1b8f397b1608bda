using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Pipelines.Spec;

namespace Kiln.Engine.Tests.Pipelines.Execution;

public class PipelineDagTests
{
    private const string Yaml = """
        params: {go: true}
        steps:
          a: {run: "true", outputs: {passed: }, retries: 2, backoff: 10s}
          b: {run: "true", needs: a, when: steps.a.outputs.passed == true}
          c: {run: "true", needs: a, when: "!steps.a.outputs.passed"}
          d: {run: "true", needs: [b, c]}
          e: {run: "true", needs: b}
          f: {run: "true", labels: [GPU, highmem]}
        """;

    private static readonly PipelineSpec Spec = PipelineSpecReader.Read(Yaml, "p.yaml").Spec!;

    private static PipelineRun Run() => new("r", "p", PipelineStatuses.Running, "manual", null, new Dictionary<string, string> { ["go"] = "true" }, Yaml, false, "ana", 0, 0, null, null, null);

    private static IReadOnlyList<StepRun> Claimed(IReadOnlyList<StepRun> steps, string name, string worker = "w", int attempt = 1) =>
        steps.Select(s => s.Step == name ? s with { Status = StepStatuses.Running, Worker = worker, Attempt = attempt } : s).ToList();

    private static IReadOnlyList<StepRun> Apply(IReadOnlyList<StepRun> steps, RunChanges changes) =>
        steps.Select(s => changes.Steps.FirstOrDefault(c => c.Step == s.Step) ?? s).ToList();

    private static StepOutcome Ok(params (string, string)[] outputs) => new(StepStatuses.Succeeded, outputs.ToDictionary(o => o.Item1, o => o.Item2), null, "key", null, "tr");

    [Fact]
    public void A_new_run_readies_the_steps_that_need_nothing_with_their_labels_normalised()
    {
        var steps = PipelineDag.Initial(Spec, Run(), 5);
        Assert.Equal(["ready", "pending", "pending", "pending", "pending", "ready"], steps.Select(s => s.Status));
        Assert.Equal("gpu,highmem", steps.Single(s => s.Step == "f").Labels);
        Assert.Equal(["", "a", "b", "a,b", "c", "a,c", "b,c", "a,b,c"], PipelineDag.ClaimableLabelKeys(["c", "B", "a"]));
        Assert.All(PipelineDag.Initial(Spec, Run(), 5, hold: true), s => Assert.Equal(StepStatuses.Pending, s.Status));
    }

    [Fact]
    public void A_held_run_is_released_once_into_the_queue_with_its_first_steps_ready()
    {
        var held = Run() with { Status = PipelineStatuses.Waiting };
        var steps = PipelineDag.Initial(Spec, held, 0, hold: true);
        var released = PipelineDag.Release(Spec, held, steps, 7)!;
        Assert.Equal(PipelineStatuses.Queued, released.Run!.Status);
        Assert.Equal(["a", "f"], released.Steps.Where(s => s.Status == StepStatuses.Ready).Select(s => s.Step));
        Assert.Null(PipelineDag.Release(Spec, released.Run, Apply(steps, released), 8));
    }

    [Fact]
    public void Finishing_a_step_readies_what_its_condition_allows_skips_the_rest_and_skips_cascade()
    {
        var steps = Claimed(PipelineDag.Initial(Spec, Run(), 0), "a");
        var changes = PipelineDag.Finish(Spec, Run(), steps, "a", "w", 1, Ok(("passed", "true")), 100)!;
        steps = Apply(steps, changes);
        Assert.Equal(["succeeded", "ready", "skipped", "pending", "pending"], steps.Take(5).Select(s => s.Status));
        Assert.Equal("when: !steps.a.outputs.passed is false.", steps.Single(s => s.Step == "c").Error);
        Assert.Null(changes.Run); // b, d, e and f remain

        steps = Claimed(steps, "b");
        steps = Apply(steps, PipelineDag.Finish(Spec, Run(), steps, "b", "w", 1, Ok(), 200)!);
        Assert.Equal("skipped", steps.Single(s => s.Step == "d").Status); // needs c, which was skipped
        Assert.Equal("ready", steps.Single(s => s.Step == "e").Status);
    }

    [Fact]
    public void A_failure_is_retried_with_doubling_backoff_then_fails_the_run_and_blocks_what_needs_it()
    {
        var run = Run();
        var steps = Claimed(PipelineDag.Initial(Spec, Run(), 0), "a");
        var failed = new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), "boom", null, null, null);
        steps = Apply(steps, PipelineDag.Finish(Spec, run, steps, "a", "w", 1, failed, 1_000)!);
        Assert.Equal(("ready", 1, 11_000L), (steps[0].Status, steps[0].Failures, steps[0].ReadyAt));
        steps = Claimed(steps, "a", attempt: 2);
        steps = Apply(steps, PipelineDag.Finish(Spec, run, steps, "a", "w", 2, failed, 20_000)!);
        Assert.Equal(("ready", 2, 40_000L), (steps[0].Status, steps[0].Failures, steps[0].ReadyAt));
        steps = Claimed(steps, "a", attempt: 3);
        steps = Apply(steps, PipelineDag.Finish(Spec, run, steps, "a", "w", 3, failed, 50_000)!);
        Assert.Equal(["failed", "blocked", "blocked", "blocked", "blocked", "ready"], steps.Select(s => s.Status));
        Assert.Equal("it needs 'a', which failed.", steps[1].Error);

        steps = Claimed(steps, "f");
        var end = PipelineDag.Finish(Spec, run, steps, "f", "w", 1, Ok(), 60_000)!;
        Assert.Equal((PipelineStatuses.Failed, 60_000L, "step 'a' failed: boom"), (end.Run!.Status, end.Run.FinishedAt, end.Run.Error));

        // Resume: a runs again with its retries renewed, the blocked steps wait for it, f keeps its success.
        var resumed = PipelineDag.Resume(Spec, end.Run, Apply(steps, end), 70_000);
        var after = Apply(Apply(steps, end), resumed);
        Assert.Equal(["ready", "pending", "pending", "pending", "pending", "succeeded"], after.Select(s => s.Status));
        Assert.Equal((0, PipelineStatuses.Running), (after[0].Failures, resumed.Run!.Status));
    }

    [Fact]
    public void A_rejection_is_not_retried_and_an_outcome_from_a_worker_that_lost_the_lease_is_ignored()
    {
        var steps = Claimed(PipelineDag.Initial(Spec, Run(), 0), "a", worker: "w2", attempt: 2);
        var rejected = new StepOutcome(StepStatuses.Failed, new Dictionary<string, string>(), "gate rejected", null, null, null, Retryable: false);
        Assert.Null(PipelineDag.Finish(Spec, Run(), steps, "a", "w1", 1, rejected, 10)); // w1's lease lapsed and w2 holds attempt 2
        var changes = PipelineDag.Finish(Spec, Run(), steps, "a", "w2", 2, rejected, 10)!;
        Assert.Equal("failed", changes.Steps.Single(s => s.Step == "a").Status);
    }

    [Fact]
    public void Cancelling_stops_every_unfinished_step_and_a_finished_run_cannot_be_cancelled()
    {
        var steps = Claimed(PipelineDag.Initial(Spec, Run(), 0), "a");
        var changes = PipelineDag.Cancel(Run(), steps, "cancelled by ana.", 9)!;
        Assert.Equal(6, changes.Steps.Count);
        Assert.All(changes.Steps, s => Assert.Equal(StepStatuses.Cancelled, s.Status));
        Assert.Equal(PipelineStatuses.Cancelled, changes.Run!.Status);
        Assert.Null(PipelineDag.Cancel(changes.Run, Apply(steps, changes), "again", 10));
    }

    [Fact]
    public void Conditions_compare_text_and_booleans_and_substitute_params_and_outputs()
    {
        var steps = new Dictionary<string, StepRun>
        {
            ["gate"] = new("r", "gate", StepStatuses.Succeeded, 1, 0, "", 0, null, null, null, null, new Dictionary<string, string> { ["passed"] = "True", ["n"] = "0" }, null, null, null, null),
        };
        var parameters = new Dictionary<string, string> { ["name"] = "loan" };
        Assert.True(Conditions.Holds("steps.gate.outputs.passed == true", parameters, steps));
        Assert.True(Conditions.Holds("${{ steps.gate.outputs.passed }}", parameters, steps));
        Assert.False(Conditions.Holds("steps.gate.outputs.n", parameters, steps));
        Assert.True(Conditions.Holds("params.name != 'fraud'", parameters, steps));
        Assert.Equal("models:/loan/True", Conditions.Substitute("models:/${{ params.name }}/${{steps.gate.outputs.passed}}", parameters, steps));
        Assert.Throws<InvalidOperationException>(() => Conditions.Substitute("${{ steps.gate.outputs.missing }}", parameters, steps));
    }
}
