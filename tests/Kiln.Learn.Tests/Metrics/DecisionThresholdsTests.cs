using Kiln.Learn.Metrics;

namespace Kiln.Learn.Tests.Metrics;

public sealed class DecisionThresholdsTests
{
    // scores high to low with their labels: 0.9+ 0.8+ 0.7- 0.6+ 0.5- 0.4+ 0.3- 0.2- 0.1-
    private static readonly int[] Labels = [1, 1, 0, 1, 0, 1, 0, 0, 0];
    private static readonly double[] Scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];

    [Theory]
    [InlineData("f1", 0.4)]            // 4 TP, 2 FP, 0 FN: F1 0.8, the best
    [InlineData("precision=1", 0.8)]   // the lowest threshold with no false positive
    [InlineData("precision=0.75", 0.6)] // 3 of 4
    [InlineData("recall=1", 0.4)]      // the highest threshold that finds every positive
    [InlineData("recall=0.5", 0.8)]
    [InlineData("cost=1:1", 0.8)]      // 0.8, 0.6 and 0.4 all cost 2 errors: a tie goes to the highest threshold
    [InlineData("cost=1:10", 0.4)]     // missed positives dear: catch them all
    [InlineData("0.35", 0.35)]
    public void Each_rule_picks_its_threshold(string rule, double expected) =>
        Assert.Equal(expected, DecisionThresholds.Choose(rule, Labels, Scores), 12);

    [Theory]
    [InlineData("precision=2", "a fraction between 0 and 1")]
    [InlineData("cost=1", "cost=FP:FN")]
    [InlineData("auc", "Unknown threshold rule")]
    [InlineData("1.5", "strictly between 0 and 1")]
    public void A_bad_rule_says_what_to_write(string rule, string message) =>
        Assert.Contains(message, Assert.Throws<LearnException>(() => DecisionThresholds.Choose(rule, Labels, Scores)).Message);

    [Fact]
    public void An_unreachable_precision_is_refused_with_the_best_there_is()
    {
        var e = Assert.Throws<LearnException>(() => DecisionThresholds.Choose("precision=0.99", [0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6]));
        Assert.Contains("the best is 0.500", e.Message);
    }
}
