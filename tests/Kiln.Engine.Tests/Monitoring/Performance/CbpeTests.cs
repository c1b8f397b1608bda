using Kiln.Engine.Monitoring.Performance;

namespace Kiln.Engine.Tests.Monitoring.Performance;

public sealed class CbpeTests
{
    /// <summary>Calibrated probabilities and labels drawn from them: p, and the label is 1 with probability p.</summary>
    private static (double[] P, int[] Labels) Calibrated(int n, int seed, Func<Random, double> draw)
    {
        var random = new Random(seed);
        var p = new double[n];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = draw(random);
            labels[i] = random.NextDouble() < p[i] ? 1 : 0;
        }
        return (p, labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void For_calibrated_probabilities_the_estimate_matches_what_the_labels_realise(int seed)
    {
        // a confident model (probabilities near 0 and 1) and a weak one (near 0.5)
        foreach (var draw in new Func<Random, double>[] { r => r.NextDouble() < 0.5 ? r.NextDouble() * 0.2 : 0.8 + (r.NextDouble() * 0.2), r => 0.35 + (r.NextDouble() * 0.3) })
        {
            var (p, labels) = Calibrated(20_000, seed, draw);
            var estimated = Cbpe.Estimate(p);
            var realised = Realised.Binary(p, labels);
            Assert.InRange(realised["accuracy"], estimated["accuracy"] - (4 * estimated["accuracy_sd"]), estimated["accuracy"] + (4 * estimated["accuracy_sd"]));
            Assert.InRange(realised["roc_auc"], estimated["roc_auc"] - 0.015, estimated["roc_auc"] + 0.015);
            Assert.InRange(realised["f1"], estimated["f1"] - 0.02, estimated["f1"] + 0.02);
            Assert.InRange(realised["precision"], estimated["precision"] - 0.02, estimated["precision"] + 0.02);
        }
    }

    [Fact]
    public void A_less_confident_window_is_estimated_to_perform_worse()
    {
        var (confident, _) = Calibrated(5_000, 9, r => r.NextDouble() < 0.5 ? r.NextDouble() * 0.1 : 0.9 + (r.NextDouble() * 0.1));
        var (unsure, _) = Calibrated(5_000, 9, r => 0.4 + (r.NextDouble() * 0.2));
        Assert.True(Cbpe.Estimate(confident)["accuracy"] > 0.9);
        Assert.True(Cbpe.Estimate(unsure)["accuracy"] < 0.6);
        Assert.True(Cbpe.Estimate(confident)["roc_auc"] > Cbpe.Estimate(unsure)["roc_auc"] + 0.2);
    }

    [Fact]
    public void Known_values_by_hand()
    {
        // predicted positive: 0.9, 0.6 → E[TP] = 1.5, E[FP] = 0.5; predicted negative: 0.2 → E[FN] = 0.2, E[TN] = 0.8
        var e = Cbpe.Estimate([0.9, 0.6, 0.2]);
        Assert.Equal(2.3 / 3, e["accuracy"], 12);
        Assert.Equal(1.5 / 2, e["precision"], 12);
        Assert.Equal(1.5 / 1.7, e["recall"], 12);
        Assert.Equal(Math.Sqrt((0.9 * 0.1) + (0.6 * 0.4) + (0.2 * 0.8)) / 3, e["accuracy_sd"], 12);
        Assert.Empty(Cbpe.Estimate([]));
        Assert.False(Cbpe.Estimate([1.0, 1.0]).ContainsKey("roc_auc")); // no negatives expected: no curve
    }
}
