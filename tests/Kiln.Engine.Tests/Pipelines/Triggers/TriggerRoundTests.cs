using Kiln.Core.Pipelines;
using Kiln.Engine.Data;
using Kiln.Engine.Pipelines;
using Kiln.Engine.Pipelines.Triggers;
using Kiln.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Engine.Tests.Pipelines.Triggers;

public class TriggerRoundTests : KilnHostTest
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 2, 59, 0, TimeSpan.Zero));

    private TriggerRound Round() => new(Host.Get<IPipelineStore>(), Host.Get<PipelineService>(), _clock, Host.Get<DataService>(), Host.Get<Kiln.Engine.Registry.RegistryService>(),
        Host.Get<Core.Monitoring.IAlertStore>());

    private Task ApplyAsync(string name, string on, string concurrency = "allow") => Host.Get<PipelineService>().ApplyAsync(
        $"name: {name}\non: {on}\nconcurrency: {concurrency}\nsteps:\n  a: {{run: \"true\"}}\n", name + ".yaml", "ana");

    [Fact]
    public async Task A_new_data_set_version_fires_once_with_its_cause_and_history_before_the_trigger_does_not()
    {
        var data = Host.Get<DataService>();
        await data.AddAsync("applicants", LoanData.Write(Dir, "a.csv", 50, 1), null, "ana");
        await ApplyAsync("retrain", "{dataset: applicants}");
        var round = Round();
        Assert.Empty(await round.RunAsync(default)); // first sight: the existing version is the baseline
        var (v2, _, _) = await data.AddAsync("applicants", LoanData.Write(Dir, "b.csv", 50, 2), null, "ana");
        var fired = await round.RunAsync(default);
        var run = Assert.Single(fired).Run!;
        Assert.Equal((PipelineTriggers.Dataset, $"datasets:/applicants/{v2.VersionId}", "trigger:dataset"), (run.Trigger, run.Cause, run.User));
        Assert.Empty(await Round().RunAsync(default)); // another server sees the same watermark: nothing fires twice
    }

    [Fact]
    public async Task A_schedule_fires_when_due_and_moves_to_its_next_time()
    {
        await ApplyAsync("nightly", "{schedule: \"0 3 * * *\"}");
        var round = Round();
        Assert.Empty(await round.RunAsync(default));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await round.RunAsync(default)); // 02:59:30, not due
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(PipelineTriggers.Schedule, Assert.Single(await round.RunAsync(default)).Run!.Trigger);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await round.RunAsync(default)); // next at 03:00 tomorrow
        Assert.Equal("1796612400000", (await Host.Get<IPipelineStore>().TriggerMarksAsync("nightly"))["schedule 0 3 * * *"]);
    }

    [Fact]
    public async Task Another_pipeline_succeeding_fires_and_the_concurrency_policy_skips_or_queues()
    {
        var service = Host.Get<PipelineService>();
        await ApplyAsync("upstream", "{}");
        await ApplyAsync("skipper", "{pipeline: upstream}", "skip");
        await ApplyAsync("queuer", "{pipeline: upstream}", "queue");
        var round = Round();
        async Task UpstreamAsync() => await PipelineServiceTests.RunAsync(Host, (await service.GetAsync("upstream")).Yaml);
        await UpstreamAsync();
        await round.RunAsync(default); // baseline
        await UpstreamAsync();
        var first = await round.RunAsync(default);
        Assert.Equal(2, first.Count(f => f.Run is { Status: PipelineStatuses.Queued }));
        await UpstreamAsync();
        var second = await round.RunAsync(default); // both still have a queued run (no worker ran them)
        Assert.Null(second.Single(f => f.Pipeline == "skipper").Run);
        var held = second.Single(f => f.Pipeline == "queuer").Run!;
        Assert.Equal(PipelineStatuses.Waiting, held.Status);
        Assert.All((await service.GetRunAsync(held.Id)).Steps, s => Assert.Equal(StepStatuses.Pending, s.Status));

        var active = first.Single(f => f.Pipeline == "queuer").Run!;
        await PipelineServiceTests.WorkAsync(Host, active.Id);
        await round.RunAsync(default); // the active run ended: the held one is released
        Assert.Equal(PipelineStatuses.Queued, (await service.GetRunAsync(held.Id)).Run.Status);
        Assert.Equal(PipelineStatuses.Succeeded, (await PipelineServiceTests.WorkAsync(Host, held.Id)).Run.Status);
    }

    [Fact]
    public void Cron_takes_five_fields_with_sunday_as_0_or_7_and_names_what_is_wrong()
    {
        var sunday = Cron.Parse("30 6 * * 0").Cron!;
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 6, 30, 0, TimeSpan.Zero), sunday.Next(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero))); // 2026-12-06 is a Sunday
        Assert.Equal(sunday.Next(DateTimeOffset.UnixEpoch), Cron.Parse("30 6 * * 7").Cron!.Next(DateTimeOffset.UnixEpoch));
        Assert.Contains("has 3 field(s)", Cron.Parse("0 3 *").Error);
        Assert.Contains("is not a cron expression", Cron.Parse("x 3 * * *").Error);
    }
}
