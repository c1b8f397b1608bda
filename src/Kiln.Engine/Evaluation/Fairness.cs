namespace Kiln.Engine.Evaluation;

/// <summary>How a binary classifier treats the groups of one sensitive column.</summary>
/// <param name="Column">The sensitive column.</param>
/// <param name="Groups">The groups compared (those with at least <see cref="SliceMetrics.MinRows"/> rows).</param>
/// <param name="DemographicParityDifference">The largest gap between two groups' selection rates (share predicted positive).</param>
/// <param name="DemographicParityRatio">The lowest selection rate over the highest (the four-fifths rule wants ≥ 0.8); 1 when no group is selected.</param>
/// <param name="EqualOpportunityDifference">The largest gap between two groups' true positive rates.</param>
/// <param name="EqualizedOddsDifference">The larger of the true and false positive rates' largest gaps.</param>
/// <param name="CalibrationGap">The largest gap, over groups, between the mean predicted probability and the observed positive rate.</param>
public sealed record FairnessSummary(string Column, IReadOnlyList<string> Groups, double DemographicParityDifference, double DemographicParityRatio,
    double EqualOpportunityDifference, double EqualizedOddsDifference, double CalibrationGap)
{
    /// <summary>Whether the four-fifths rule holds (the lowest selection rate is at least 80 % of the highest).</summary>
    public bool FourFifths => DemographicParityRatio >= 0.8;
}

/// <summary>
/// Fairness of a binary classifier across the groups of sensitive columns, from the per-group rates every slice of a binary
/// model carries: selection rate, true and false positive rates, observed positive rate and mean predicted probability
/// (Fairlearn's definitions). The worst value over the sensitive columns is what gates check
/// (<c>demographic_parity_ratio &gt;= 0.8</c>).
/// </summary>
public static class Fairness
{
    /// <summary>The metric names the summaries add to an evaluation's metrics (the worst over the sensitive columns).</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
        ["demographic_parity_difference", "demographic_parity_ratio", "equal_opportunity_difference", "equalized_odds_difference", "calibration_gap"];

    /// <summary>The per-group rates of a binary model on some rows: predicted positive share, TPR, FPR, base rate, mean score.</summary>
    public static void AddGroupRates(Dictionary<string, double> metrics, int[] labels, int[] predicted, double[] probabilities)
    {
        var (positives, negatives, truePositives, falsePositives) = (0, 0, 0, 0);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == 1)
            {
                positives++;
                truePositives += predicted[i];
            }
            else
            {
                negatives++;
                falsePositives += predicted[i];
            }
        }
        metrics["selection_rate"] = labels.Length == 0 ? double.NaN : predicted.Average();
        metrics["tpr"] = positives == 0 ? double.NaN : (double)truePositives / positives;
        metrics["fpr"] = negatives == 0 ? double.NaN : (double)falsePositives / negatives;
        metrics["observed_rate"] = labels.Length == 0 ? double.NaN : (double)positives / labels.Length;
        metrics["mean_score"] = probabilities.Length == 0 ? double.NaN : probabilities.Average();
    }

    /// <summary>One summary per sensitive column whose slices carry the group rates (binary models), from groups with enough rows.</summary>
    public static IReadOnlyList<FairnessSummary> Summarize(IEnumerable<SliceResult> slices) =>
        [.. slices.GroupBy(s => s.Column).Select(Summarize).OfType<FairnessSummary>()];

    /// <summary>The worst value of each fairness metric over the summaries (largest differences, smallest ratio).</summary>
    public static Dictionary<string, double> Worst(IReadOnlyList<FairnessSummary> summaries) => summaries.Count == 0 ? [] : new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["demographic_parity_difference"] = summaries.Max(s => s.DemographicParityDifference),
        ["demographic_parity_ratio"] = summaries.Min(s => s.DemographicParityRatio),
        ["equal_opportunity_difference"] = summaries.Max(s => s.EqualOpportunityDifference),
        ["equalized_odds_difference"] = summaries.Max(s => s.EqualizedOddsDifference),
        ["calibration_gap"] = summaries.Max(s => s.CalibrationGap),
    };

    private static FairnessSummary? Summarize(IGrouping<string, SliceResult> column)
    {
        var groups = column.Where(s => s.Rows >= SliceMetrics.MinRows && s.Metrics.ContainsKey("selection_rate")).ToList();
        if (groups.Count < 2)
        {
            return null;
        }
        double Gap(string metric)
        {
            var values = groups.Select(g => g.Metrics[metric]).Where(double.IsFinite).ToList();
            return values.Count < 2 ? 0 : values.Max() - values.Min();
        }
        var rates = groups.Select(g => g.Metrics["selection_rate"]).ToList();
        var ratio = rates.Max() <= 0 ? 1 : rates.Min() / rates.Max();
        var calibration = groups.Select(g => Math.Abs(g.Metrics["mean_score"] - g.Metrics["observed_rate"])).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        return new FairnessSummary(column.Key, [.. groups.Select(g => g.Value)], Gap("selection_rate"), ratio, Gap("tpr"), Math.Max(Gap("tpr"), Gap("fpr")), calibration);
    }
}
