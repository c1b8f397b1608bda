using Kiln.Core.Errors;
using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Hosting.Pipelines;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Pipelines;

public class PipelineServiceTests : KilnHostTest
{
    private PipelineService Service => Host.Get<PipelineService>();

    /// <summary>Queues a run and works on it with a worker of its own until it ends.</summary>
    internal static async Task<PipelineRunDetail> RunAsync(Kiln.Hosting.KilnHost host, string yaml, Dictionary<string, string>? parameters = null, bool force = false,
        WorkerOptions? options = null)
    {
        var service = host.Get<PipelineService>();
        var run = await service.StartAsync(yaml, "p.yaml", parameters ?? [], PipelineTriggers.Manual, "test", force, "ana");
        return await WorkAsync(host, run.Id, options);
    }

    internal static async Task<PipelineRunDetail> WorkAsync(Kiln.Hosting.KilnHost host, string runId, WorkerOptions? options = null)
    {
        var worker = new PipelineWorker(host.Get<IPipelineStore>(), host.Get<StepRunner>(), host.Get<Engine.Tracking.ITracking>(),
            (options ?? PipelineRegistration.WorkerSettings(4)) with { OnlyRun = runId, Poll = TimeSpan.FromMilliseconds(20) }, TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var working = worker.RunAsync(stop.Token);
        var detail = await host.Get<PipelineService>().WaitAsync(runId, TimeSpan.FromMilliseconds(20), ct: stop.Token);
        await stop.CancelAsync();
        await working;
        return detail;
    }

    private static string Yaml(string steps) => "name: p\nparams: {word: hello, n: {type: int, default: 2}}\nsteps:\n" + steps;

    [Fact]
    public async Task Steps_run_in_dependency_order_pass_outputs_on_and_an_unchanged_rerun_is_all_cache_hits()
    {
        var input = Path.Combine(Dir, "in.txt");
        await File.WriteAllTextAsync(input, "v1");
        var yaml = Yaml($$$"""
              write:
                run: cat "$IN" > "$KILN_OUTPUT_COPY"; echo "word=$WORD" >> "$KILN_OUTPUTS"
                env: {IN: "{{{input}}}", WORD: "${{ params.word }}"}
                inputs: ["{{{input}}}"]
                outputs: {copy: "{{{Path.Combine(Dir, "copy.txt")}}}", word: }
              read:
                run: echo "got $W"; test "$W" = hello
                needs: write
                env: {W: "${{ steps.write.outputs.word }}"}
            """);
        var first = await RunAsync(Host, yaml);
        Assert.Equal(PipelineStatuses.Succeeded, first.Run.Status);
        Assert.Equal(["succeeded", "succeeded"], first.Steps.Select(s => s.Status));
        Assert.Equal("v1", await File.ReadAllTextAsync(Path.Combine(Dir, "copy.txt")));
        Assert.Contains("got hello", await Service.LogAsync(first.Steps[1]));
        Assert.True(first.Steps[0].StartedAt <= first.Steps[1].StartedAt);

        var second = await RunAsync(Host, yaml);
        Assert.Equal(["cached", "cached"], second.Steps.Select(s => s.Status));
        Assert.Equal(first.Run.Id, second.Steps[0].CachedFrom);

        await File.WriteAllTextAsync(input, "v2"); // new content: write runs again, and so does read (its input changed only if the output value did)
        var third = await RunAsync(Host, yaml);
        Assert.Equal(["succeeded", "cached"], third.Steps.Select(s => s.Status));
        Assert.Equal("v2", await File.ReadAllTextAsync(Path.Combine(Dir, "copy.txt")));

        var forced = await RunAsync(Host, yaml, force: true);
        Assert.Equal(["succeeded", "succeeded"], forced.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task A_failed_step_is_retried_blocks_what_needs_it_and_the_run_resumes_from_it()
    {
        var flag = Path.Combine(Dir, "fixed");
        var yaml = Yaml($$"""
              flaky:
                run: test -f "{{flag}}" || (echo broken; exit 3)
                retries: 1
                backoff: 50ms
              after: {run: "true", needs: flaky}
              apart: {run: "true"}
            """);
        var failed = await RunAsync(Host, yaml);
        Assert.Equal(PipelineStatuses.Failed, failed.Run.Status);
        Assert.Equal(["failed", "blocked", "succeeded"], failed.Steps.Select(s => s.Status));
        Assert.Equal((2, 2), (failed.Steps[0].Attempt, failed.Steps[0].Failures));
        Assert.Contains("exited with code 3", failed.Run.Error);
        Assert.Contains("broken", await Service.LogAsync(failed.Steps[0]));

        await File.WriteAllTextAsync(flag, "");
        var resumed = await Service.ResumeAsync(failed.Run.Id);
        Assert.Equal(PipelineStatuses.Running, resumed.Status);
        var done = await WorkAsync(Host, failed.Run.Id);
        Assert.Equal(PipelineStatuses.Succeeded, done.Run.Status);
        Assert.Equal(["succeeded", "succeeded", "succeeded"], done.Steps.Select(s => s.Status));
        Assert.Equal(failed.Steps[2].FinishedAt, done.Steps[2].FinishedAt); // kept, not run again
        await Assert.ThrowsAsync<KilnException>(() => Service.ResumeAsync(failed.Run.Id)); // only failed or cancelled runs resume
    }

    [Fact]
    public async Task A_step_over_its_timeout_fails_and_a_cancelled_run_stops_its_running_step()
    {
        var slow = await RunAsync(Host, Yaml("""
              slow: {run: sleep 5, timeout: 200ms}
            """));
        Assert.Equal(StepStatuses.Failed, slow.Steps[0].Status);
        Assert.Contains("timed out", slow.Steps[0].Error);

        var run = await Service.StartAsync(Yaml("""
              long: {run: sleep 30}
              next: {run: "true", needs: long}
            """), "p.yaml", new Dictionary<string, string>(), PipelineTriggers.Manual, null, false, "ana");
        var working = WorkAsync(Host, run.Id, PipelineRegistration.WorkerSettings(2) with { Lease = TimeSpan.FromMilliseconds(300) });
        while ((await Service.GetRunAsync(run.Id)).Steps[0].Status != StepStatuses.Running)
        {
            await Task.Delay(20);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Service.CancelAsync(run.Id, "bo");
        var detail = await working;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the step stopped after {clock.Elapsed}");
        Assert.Equal(PipelineStatuses.Cancelled, detail.Run.Status);
        Assert.Equal(["cancelled", "cancelled"], detail.Steps.Select(s => s.Status));
        Assert.Equal("cancelled by bo.", detail.Steps[1].Error);
    }

    [Fact]
    public async Task Params_are_checked_before_a_run_exists_and_a_bad_file_lists_every_problem()
    {
        var yaml = Yaml("""
              a: {run: "echo ${{ params.n }}"}
            """);
        var e = await Assert.ThrowsAsync<KilnException>(() => Service.StartAsync(yaml, "p.yaml", new Dictionary<string, string> { ["n"] = "two", ["x"] = "1" },
            PipelineTriggers.Manual, null, false, "ana"));
        Assert.Contains("'x' is not a param of p", e.Message);
        Assert.Contains("param 'n' is a int: 'two' is not a whole number", e.Message);
        var bad = await Assert.ThrowsAsync<KilnException>(() => Service.StartAsync("steps: {a: {uses: trian}, b: {run: x, needs: c}}", "bad.yaml",
            new Dictionary<string, string>(), PipelineTriggers.Manual, null, false, "ana"));
        Assert.Contains("bad.yaml:1", bad.Message);
        Assert.Contains("'trian'", bad.Message);
        Assert.Empty(await Service.ListRunsAsync(null));
    }

    [Fact]
    public async Task Steps_needing_labels_wait_for_a_worker_that_has_them()
    {
        var run = await Service.StartAsync(Yaml("""
              gpu: {run: "true", labels: [gpu]}
            """), "p.yaml", new Dictionary<string, string>(), PipelineTriggers.Manual, null, false, "ana");
        var store = Host.Get<IPipelineStore>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Null(await store.ClaimAsync("plain", PipelineDag.ClaimableLabelKeys([]), now, now + 1000));
        var done = await WorkAsync(Host, run.Id, PipelineRegistration.WorkerSettings(1, ["highmem", "gpu"]));
        Assert.Equal(StepStatuses.Succeeded, done.Steps[0].Status);
    }
}
