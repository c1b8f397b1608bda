using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Monitoring;

/// <summary>Stored slices: completed minutes of the log summarised once, a window merged from them gives what the raw rows give.</summary>
public sealed class SliceTests : KilnHostTest
{
    private MonitorService Monitor => Host.Get<MonitorService>();

    private async Task DeployAsync()
    {
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(LoanData.Write(Dir, "train.csv", 400, 61), "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "5" }));
        var registry = Host.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await Host.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false)], "ana");
    }

    /// <summary>Logged rows spread over three minutes that ended a while ago: incomes shifted up, a few labels.</summary>
    private async Task LogAsync(long start, int count, int seed)
    {
        var rng = new Random(seed);
        var regions = new[] { "north", "south", "east" };
        var records = Enumerable.Range(0, count).Select(i =>
        {
            var p = rng.NextDouble();
            var inputs = string.Create(CultureInfo.InvariantCulture,
                $"{{\"income\":{0.5 + (rng.NextDouble() * 0.5)},\"debt\":{rng.NextDouble()},\"region\":\"{regions[rng.Next(3)]}\"}}");
            var outputs = string.Create(CultureInfo.InvariantCulture, $"{{\"prediction\":\"{(p >= 0.5 ? 1 : 0)}\",\"probability\":{p}}}");
            return new PredictionRecord($"{seed}-{i}", "loan", "champion", "loan", 1, start + (i * 180_000L / count), 1 + (i % 7), inputs, outputs, false);
        }).ToList();
        await Host.Get<IPredictionLog>().AppendAsync(records);
        await Host.Get<IPredictionLog>().AddLabelsAsync([.. records.Take(50).Select(r => (r.RequestId, "1"))], start + 200_000);
    }

    [Fact]
    public async Task A_window_merged_from_slices_matches_the_raw_rows_and_summarised_rows_are_not_read_again()
    {
        await DeployAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var start = (now - 400_000) / 60_000 * 60_000; // minutes that completed minutes ago
        await LogAsync(start, 600, 4);

        var raw = await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null); // no slices yet: every row read raw
        Assert.Equal(600, (await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null, exactBelow: 0)).Drift.Rows); // nothing summarised: all tail
        var made = await Monitor.SummarizeAsync("loan", null, TimeSpan.FromMinutes(30));
        Assert.True(made >= 29, $"{made} slices");
        Assert.Equal(0, await Monitor.SummarizeAsync("loan", null, TimeSpan.FromMinutes(30))); // again (a restart): nothing twice
        var merged = await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null, exactBelow: 0); // from the slices, however few rows

        Assert.Equal((600, 600), (raw.Drift.Rows, merged.Drift.Rows));
        Assert.Equal(raw.Drift.Report.Columns.Select(c => (c.Column, c.Drifted)), merged.Drift.Report.Columns.Select(c => (c.Column, c.Drifted)));
        Assert.Contains(merged.Drift.Report.Columns, c => c.Column == "income" && c.Drifted);
        foreach (var (a, b) in raw.Drift.Report.Columns.Zip(merged.Drift.Report.Columns))
        {
            Assert.True(Math.Abs(a.Score - b.Score) < 0.05, $"{a.Column}: {a.Score} raw, {b.Score} from slices");
        }
        Assert.Equal(raw.Quality.Select(q => (q.Feature, q.MissingShare, q.OutOfRangeShare, q.UnseenShare)), merged.Quality.Select(q => (q.Feature, q.MissingShare, q.OutOfRangeShare, q.UnseenShare)));
        Assert.Equal(raw.Performance.Estimated["accuracy"], merged.Performance.Estimated["accuracy"], 9);
        Assert.Equal(raw.Performance.Estimated["roc_auc"], merged.Performance.Estimated["roc_auc"], 9);
        Assert.Equal((50, raw.Performance.Realised["accuracy"]), (merged.Performance.Labelled, merged.Performance.Realised["accuracy"]));
        Assert.Equal(raw.LatencyP95Ms, merged.LatencyP95Ms);

        // hours whose minutes are summarised roll up (24 summaries for a day, not 1,440); the window counts every row once
        await Monitor.SummarizeAsync("loan", null, TimeSpan.FromHours(3));
        var rolledUp = await Monitor.SnapshotAsync("loan", TimeSpan.FromHours(3), null, null, exactBelow: 0);
        Assert.Equal(600, rolledUp.Drift.Rows);
        Assert.Equal(600, rolledUp.History!.Sum(p => p.Rows)); // 15-minute buckets of a 3-hour window
        Assert.All(rolledUp.History!, p => Assert.Equal(0, (p.End - rolledUp.Drift.From) % (15 * 60_000)));
        Assert.Equal(50, merged.History!.Sum(p => p.Labelled));
        Assert.Equal(merged.Performance.Estimated["accuracy"], rolledUp.Performance.Estimated["accuracy"], 9);
        await Monitor.SummarizeAsync("loan", null, TimeSpan.FromHours(7));
        var hourly = await Monitor.SnapshotAsync("loan", TimeSpan.FromHours(7), null, null, exactBelow: 0); // hourly buckets: roll-ups and the minutes around them
        Assert.Equal((600, 600), (hourly.Drift.Rows, hourly.History!.Sum(p => p.Rows)));
        Assert.Equal(merged.Performance.Estimated["accuracy"], hourly.Performance.Estimated["accuracy"], 9);

        // a row logged late into a minute already summarised is not read again (the slice stands as it was stored)
        await Host.Get<IPredictionLog>().AppendAsync([new("late", "loan", "champion", "loan", 1, start + 1_000, 1, "{\"income\":0.9,\"debt\":0.1,\"region\":\"north\"}",
            "{\"prediction\":\"1\",\"probability\":0.9}", false)]);
        Assert.Equal(600, (await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null, exactBelow: 0)).Drift.Rows);
        Assert.Equal(601, (await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null)).Drift.Rows); // a quiet window is read exactly
    }

    [Fact]
    public void Only_the_minutes_no_roll_up_covers_are_read()
    {
        MonitorSlice Hour(long start) => new("loan", "champion", start, start + 3_600_000, 1, "{}");
        Assert.Equal([(90_000L, 3_600_000L), (10_800_000L, 14_000_000L)],
            MonitorService.Gaps([Hour(7_200_000), Hour(3_600_000)], 90_000, 14_000_000).ToList()); // before the first hour and after the last
        Assert.Equal([(3_600_000L, 7_200_000L)], MonitorService.Gaps([Hour(0), Hour(7_200_000)], 0, 10_800_000).ToList()); // a hole between roll-ups
        Assert.Equal([(0L, 600_000L)], MonitorService.Gaps([], 0, 600_000).ToList());
    }

    [Fact]
    public async Task A_route_with_a_reference_data_set_is_compared_with_it_instead_of_the_training_data()
    {
        await DeployAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await LogAsync((now - 400_000) / 60_000 * 60_000, 400, 5); // incomes in [0.5, 1]: drifted from the training data's [0, 1]
        Assert.Contains((await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null)).Drift.Report.Columns, c => c.Column == "income" && c.Drifted);

        // the applicants the lender now expects: incomes in [0.5, 1] too
        var rng = new Random(9);
        var csv = new System.Text.StringBuilder("income,debt,region\n");
        for (var i = 0; i < 500; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{0.5 + (rng.NextDouble() * 0.5):F4},{rng.NextDouble():F4},{new[] { "north", "south", "east" }[rng.Next(3)]}\n");
        }
        var file = Path.Combine(Dir, "expected.csv");
        await File.WriteAllTextAsync(file, csv.ToString());
        var (version, _, _) = await Host.Get<Kiln.Engine.Data.DataService>().AddAsync("applicants", file, null, "ana");
        await Host.Get<DeploymentService>().UpdateAsync("loan", [new("champion", "models:/loan@champion", 100, false, Reference: $"datasets:/applicants/{version.VersionId}")], "ana");

        var against = await Monitor.SnapshotAsync("loan", TimeSpan.FromMinutes(30), null, null);
        Assert.DoesNotContain(against.Drift.Report.Columns, c => c.Drifted);
        Assert.Equal(400, against.Drift.Rows);

        var bad = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() =>
            Host.Get<DeploymentService>().UpdateAsync("loan", [new("champion", "models:/loan@champion", 100, false, Reference: "file.csv")], "ana"));
        Assert.Contains("is not a dataset version: use datasets:/NAME/VERSION[/FILE]", bad.Message, StringComparison.Ordinal);
    }
}
