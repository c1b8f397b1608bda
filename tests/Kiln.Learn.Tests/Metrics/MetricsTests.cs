using Kiln.Learn.Metrics;

namespace Kiln.Learn.Tests.Metrics;

public sealed class MetricsTests
{
    private static readonly int[] Actual = [1, 0, 1, 1, 0, 0, 1, 0];
    private static readonly int[] Predicted = [1, 0, 0, 1, 1, 0, 1, 0];

    [Fact]
    public void Binary_counts_match_hand_computation()
    {
        // TP 3, FN 1, FP 1, TN 3
        Assert.Equal(0.75, ClassificationMetrics.Accuracy(Actual, Predicted));
        Assert.Equal(0.75, ClassificationMetrics.Precision(Actual, Predicted));
        Assert.Equal(0.75, ClassificationMetrics.Recall(Actual, Predicted));
        Assert.Equal(0.75, ClassificationMetrics.F1(Actual, Predicted));
        var m = ConfusionMatrix.Create(Actual, Predicted, 2);
        Assert.Equal(3, m[1, 1]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(3, m[0, 0]);
    }

    [Fact]
    public void Macro_and_weighted_averages()
    {
        int[] actual = [0, 0, 0, 1, 2, 2];
        int[] predicted = [0, 0, 1, 1, 2, 0];
        // precision: c0 2/3, c1 1/2, c2 1; recall: c0 2/3, c1 1, c2 1/2
        Assert.Equal(((2.0 / 3) + 0.5 + 1) / 3, ClassificationMetrics.Precision(actual, predicted, 3, Averaging.Macro), 12);
        Assert.Equal(((2.0 / 3 * 3) + (1 * 1) + (0.5 * 2)) / 6, ClassificationMetrics.Recall(actual, predicted, 3, Averaging.Weighted), 12);
        var f1 = new[] { 2.0 / 3, 2 * 0.5 * 1 / 1.5, 2 * 1 * 0.5 / 1.5 };
        Assert.Equal(f1.Average(), ClassificationMetrics.F1(actual, predicted, 3, Averaging.Macro), 12);
    }

    [Fact]
    public void Roc_auc_counts_ordered_pairs_and_half_ties()
    {
        // positives 0.8, 0.4; negatives 0.6, 0.1 → pairs won: (0.8>0.6, 0.8>0.1, 0.4>0.1) = 3 of 4
        Assert.Equal(0.75, ProbabilityMetrics.RocAuc([1, 0, 1, 0], [0.8, 0.6, 0.4, 0.1]));
        Assert.Equal(0.5, ProbabilityMetrics.RocAuc([1, 0], [0.5, 0.5]));
        Assert.Throws<ArgumentException>(() => ProbabilityMetrics.RocAuc([1, 1], [0.5, 0.2]));
    }

    [Fact]
    public void Average_precision_is_step_wise()
    {
        // ranked: 0.8 (+), 0.6 (-), 0.4 (+), 0.1 (-): AP = 0.5 * 1 + 0.5 * 2/3
        Assert.Equal((0.5 * 1) + (0.5 * 2.0 / 3), ProbabilityMetrics.AveragePrecision([1, 0, 1, 0], [0.8, 0.6, 0.4, 0.1]), 12);
    }

    [Fact]
    public void Log_loss_and_brier()
    {
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.8)) / 2, ProbabilityMetrics.LogLoss([1, 0], [0.9, 0.2]), 12);
        Assert.Equal(((0.1 * 0.1) + (0.2 * 0.2)) / 2, ProbabilityMetrics.BrierScore([1, 0], [0.9, 0.2]), 12);
        Assert.Equal(-(Math.Log(0.7) + Math.Log(0.5)) / 2, ProbabilityMetrics.LogLoss([0, 2], [0.7, 0.2, 0.1, 0.3, 0.2, 0.5], 3), 12);
    }

    [Fact]
    public void Calibration_curve_bins_probabilities()
    {
        var curve = ProbabilityMetrics.CalibrationCurve([0, 1, 1, 1], [0.1, 0.15, 0.9, 0.95], bins: 2);
        Assert.Equal(2, curve.Count);
        Assert.Equal(0.125, curve[0].MeanPredicted, 12);
        Assert.Equal(0.5, curve[0].FractionPositive);
        Assert.Equal(1, curve[1].FractionPositive);
    }

    [Fact]
    public void Regression_metrics_match_hand_computation()
    {
        double[] actual = [1, 2, 3, 4];
        double[] predicted = [1, 3, 2, 4];
        Assert.Equal(Math.Sqrt(0.5), RegressionMetrics.Rmse(actual, predicted), 12);
        Assert.Equal(0.5, RegressionMetrics.Mae(actual, predicted), 12);
        Assert.Equal(1 - (2 / 5.0), RegressionMetrics.R2(actual, predicted), 12);
        Assert.Equal(((1 / 2.0) + (1 / 3.0)) / 4, RegressionMetrics.Mape(actual, predicted), 12);
    }
}
