using Kiln.Engine.Evaluation;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Evaluation;

/// <summary>Fairness across sensitive groups: the per-group rates, the summaries (Fairlearn's definitions), and a gate on them.</summary>
public sealed class FairnessTests : KilnHostTest
{
    private static SliceResult Group(string value, int rows, double selection, double tpr, double fpr, double observed, double score) =>
        new("region", value, rows, new Dictionary<string, double>
        {
            ["selection_rate"] = selection, ["tpr"] = tpr, ["fpr"] = fpr, ["observed_rate"] = observed, ["mean_score"] = score,
        });

    [Fact]
    public void Group_rates_count_selections_and_true_and_false_positives()
    {
        var metrics = new Dictionary<string, double>();
        Fairness.AddGroupRates(metrics, labels: [1, 1, 1, 0, 0], predicted: [1, 1, 0, 1, 0], probabilities: [0.9, 0.8, 0.4, 0.6, 0.3]);
        Assert.Equal(0.6, metrics["selection_rate"], 12);
        Assert.Equal(2.0 / 3, metrics["tpr"], 12);
        Assert.Equal(0.5, metrics["fpr"], 12);
        Assert.Equal(0.6, metrics["observed_rate"], 12);
        Assert.Equal(0.6, metrics["mean_score"], 12);
    }

    [Fact]
    public void Summaries_take_the_largest_gaps_and_the_lowest_ratio_over_groups_with_enough_rows()
    {
        var summary = Assert.Single(Fairness.Summarize(
        [
            Group("north", 100, 0.50, 0.90, 0.20, 0.45, 0.50),
            Group("south", 100, 0.30, 0.70, 0.05, 0.35, 0.45),
            Group("east", 100, 0.40, 0.80, 0.10, 0.40, 0.40),
            Group("tiny", 5, 0.00, 0.00, 0.00, 0.00, 0.90), // too few rows to judge
        ]));
        Assert.Equal(["north", "south", "east"], summary.Groups);
        Assert.Equal(0.2, summary.DemographicParityDifference, 12);
        Assert.Equal(0.6, summary.DemographicParityRatio, 12);
        Assert.False(summary.FourFifths);
        Assert.Equal(0.2, summary.EqualOpportunityDifference, 12);
        Assert.Equal(0.2, summary.EqualizedOddsDifference, 12); // max(TPR gap 0.2, FPR gap 0.15)
        Assert.Equal(0.1, summary.CalibrationGap, 12); // south: 0.45 predicted against 0.35 observed
        Assert.Equal(0.6, Fairness.Worst([summary])["demographic_parity_ratio"]);
        Assert.Empty(Fairness.Summarize([Group("north", 100, 0.5, 0.9, 0.2, 0.45, 0.5)])); // one group: nothing to compare
    }

    [Fact]
    public async Task An_evaluation_reports_fairness_per_sensitive_column_and_a_gate_refuses_a_model_that_fails_the_four_fifths_rule()
    {
        // LoanData approves the north more often (a +0.3 score), so a model that learns it selects the north far more.
        var train = LoanData.Write(Dir, "train.csv", 1500, 31);
        var holdout = LoanData.Write(Dir, "holdout.csv", 1500, 32);
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "40" }));
        var result = await Host.Get<EvaluationService>().EvaluateAsync(new EvaluationRequest($"runs:/{run.RunId}/model", holdout, null, ["region"]));
        var region = Assert.Single(result.Fairness!);
        var rates = result.Slices.ToDictionary(s => s.Value, s => s.Metrics["selection_rate"]);
        Assert.True(rates["north"] > rates["south"] + 0.1, string.Join(", ", rates));
        Assert.Equal(rates.Values.Min() / rates.Values.Max(), region.DemographicParityRatio, 9);
        Assert.Equal(region.DemographicParityRatio, result.Metrics["demographic_parity_ratio"]);
        Assert.Contains("<table id=\"fairness\">", result.Report, StringComparison.Ordinal);

        var registry = Host.Get<RegistryService>();
        await registry.CreateModelAsync("loans", null, []);
        var version = (await registry.CreateVersionAsync("loans", $"runs:/{run.RunId}/model", null, null, null, [], "ana")).Version;
        var gates = Host.Get<GateService>();
        await gates.SaveSpecAsync("loans", "slices: [region]\nchecks:\n  - roc_auc >= 0.6\n  - demographic_parity_ratio >= 0.8\n", "ana");
        var outcome = await gates.GateAsync("loans", version, holdout, null, null, "ana");
        Assert.False(outcome.Verdict.Passed);
        var fairness = outcome.Checks.Single(c => c.Check == "demographic_parity_ratio >= 0.8");
        Assert.False(fairness.Passed);
        Assert.Equal(region.DemographicParityRatio, fairness.Candidate!.Value, 9);
    }
}
