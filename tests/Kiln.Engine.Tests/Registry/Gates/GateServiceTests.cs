using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Registry.Gates;

/// <summary>
/// The story: two models registered, a gate set, the weaker refused and the stronger promoted to champion,
/// a rollback; plus forced promotions, approval by a second person and stale verdicts.
/// </summary>
public sealed class GateServiceTests : KilnHostTest
{
    private RegistryService Registry => Host.Get<RegistryService>();

    private GateService Gates => Host.Get<GateService>();

    private async Task<int> RegisterAsync(string train, int rounds)
    {
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        return (await Registry.CreateVersionAsync("loans", $"runs:/{run.RunId}/model", null, null, null, [], "ana")).Version;
    }

    private async Task<(string Train, string Holdout)> DataAsync()
    {
        await Registry.CreateModelAsync("loans", null, []);
        return (LoanData.Write(Dir, "train.csv", 1500, 11), LoanData.Write(Dir, "holdout.csv", 1500, 12));
    }

    private const string Spec = """
        alias: champion
        slices: [region]
        checks:
          - roc_auc >= 0.55
          - roc_auc >= champion + 0.001
          - slice_gap(recall) <= 0.9
        """;

    [Fact]
    public async Task The_weaker_model_is_refused_the_stronger_promoted_and_rolled_back()
    {
        var (train, holdout) = await DataAsync();
        var weak = await RegisterAsync(train, 1);
        var strong = await RegisterAsync(train, 40);
        await Gates.SaveSpecAsync("loans", Spec, "ana");

        // no champion yet: relative checks have nothing to compare with, so the first gate rests on the absolute ones
        var first = await Gates.GateAsync("loans", weak, holdout, null, null, "ana");
        Assert.True(first.Verdict.Passed, string.Join("; ", first.Checks.Select(c => $"{c.Check}={c.Passed} {c.Note}")));
        Assert.Null(first.Verdict.HolderVersion);
        Assert.Contains("nothing to compare with", first.Checks[1].Note);
        await Gates.PromoteAsync("loans", weak, "champion", "ana", force: false, reason: null);

        var stronger = await Gates.GateAsync("loans", strong, holdout, null, null, "bo");
        Assert.True(stronger.Verdict.Passed);
        Assert.Equal(weak, stronger.Verdict.HolderVersion);
        var relative = stronger.Checks[1];
        Assert.True(relative.Candidate > relative.Holder, $"{relative.Candidate} vs {relative.Holder}");
        Assert.NotNull(stronger.HolderRun);

        // the weak model, gated against the strong one once that is champion, fails the relative check
        await Gates.PromoteAsync("loans", strong, "champion", "bo", force: false, reason: null);
        var again = await Gates.GateAsync("loans", weak, holdout, null, null, "ana");
        Assert.False(again.Verdict.Passed);
        Assert.False(again.Checks[1].Passed);
        var refused = await Assert.ThrowsAsync<KilnException>(() => Gates.PromoteAsync("loans", weak, "champion", "ana", false, null));
        Assert.Contains("failed its gate", refused.Message);
        Assert.Equal(strong, (await Registry.GetVersionByAliasAsync("loans", "champion")).Version);

        var back = await Gates.RollbackAsync("loans", "champion", "cy", "incident 42");
        Assert.Equal((weak, strong), (back.Version!.Value, back.PreviousVersion!.Value));
        var history = await Registry.HistoryAsync("loans", "champion");
        Assert.Equal(["promote:ana", "promote:bo", "rollback:cy"], history.Select(e => $"{e.Action}:{e.UserId}"));
        Assert.Equal(3, (await Host.Get<IRegistryStore>().ListVerdictsAsync("loans", null)).Count);
    }

    [Fact]
    public async Task Forcing_needs_a_reason_a_stale_verdict_is_refused_and_approval_needs_a_second_person()
    {
        var (train, holdout) = await DataAsync();
        var a = await RegisterAsync(train, 3);
        var b = await RegisterAsync(train, 3);
        var c = await RegisterAsync(train, 3);
        await Gates.SaveSpecAsync("loans", "alias: champion\nrequires_approval: true\nchecks:\n  - accuracy >= 0.01\n", "ana");

        var noReason = await Assert.ThrowsAsync<KilnException>(() => Gates.PromoteAsync("loans", a, "champion", "ana", force: true, reason: " "));
        Assert.Contains("--reason", noReason.Message);
        var (_, pending) = await Gates.PromoteAsync("loans", a, "champion", "ana", force: true, reason: "hotfix");
        Assert.Equal("PENDING", pending!.Status);
        Assert.Equal(ErrorCode.ResourceConflict, (await Assert.ThrowsAsync<KilnException>(() => Gates.PromoteAsync("loans", b, "champion", "ana", true, "again"))).Code);
        Assert.Contains("someone else", (await Assert.ThrowsAsync<KilnException>(() => Gates.DecideAsync("loans", "champion", true, "ana"))).Message);
        var approved = await Gates.DecideAsync("loans", "champion", true, "bo");
        Assert.Equal("APPROVED", approved.Status);
        var moved = (await Registry.HistoryAsync("loans", "champion")).Single();
        Assert.Equal(("force-promote", "bo", a), (moved.Action, moved.UserId, moved.Version!.Value));
        Assert.Contains("forced: hotfix", moved.Reason);

        // b's verdict compared it with a; once c holds the alias, that verdict is stale
        Assert.True((await Gates.GateAsync("loans", b, holdout, null, null, "ana")).Verdict.Passed);
        await Registry.SetAliasAsync("loans", "champion", c.ToString(System.Globalization.CultureInfo.InvariantCulture), new AliasChange("cy", "set", null));
        var stale = await Assert.ThrowsAsync<KilnException>(() => Gates.PromoteAsync("loans", b, "champion", "ana", false, null));
        Assert.Contains("run the gate again", stale.Message);
    }

    [Theory]
    [InlineData("checks:\n  - auc >= 0.8\n", "unknown metric 'auc'")]
    [InlineData("checks:\n  - roc_auc => 0.8\n", "is not a check")]
    [InlineData("checks:\n  - slice_gap(recall) <= 0.1\n", "has no slices")]
    [InlineData("checks:\n  - roc_auc >= production - 0.1\n", "compares with 'production'")]
    [InlineData("alias: latest\nchecks:\n  - roc_auc >= 0.8\n", "reserved")]
    [InlineData("checks: []\n", "has no checks")]
    [InlineData("threshold: 3\n", "line 1")]
    public async Task Bad_specs_are_refused_with_what_is_wrong_and_nothing_is_saved(string yaml, string message)
    {
        await Registry.CreateModelAsync("loans", null, []);
        var e = await Assert.ThrowsAsync<KilnException>(() => Gates.SaveSpecAsync("loans", yaml, "ana"));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains(message, e.Message);
        Assert.Null(await Gates.CurrentSpecAsync("loans", null));
    }
}
