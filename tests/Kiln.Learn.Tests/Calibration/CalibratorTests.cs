using Kiln.Learn.Calibration;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Metrics;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Calibration;

public sealed class CalibratorTests
{
    /// <summary>True probabilities q, labels drawn from them, and a model's distorted probabilities σ(0.5·logit(q) + 1).</summary>
    private static (double[] Distorted, int[] Labels, double[] Truth) Distorted(int n, int seed)
    {
        var rng = new Random(seed);
        var (p, y, q) = (new double[n], new int[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            var logit = (rng.NextDouble() * 8) - 4;
            q[i] = 1 / (1 + Math.Exp(-logit));
            y[i] = rng.NextDouble() < q[i] ? 1 : 0;
            p[i] = 1 / (1 + Math.Exp(-((0.5 * logit) + 1)));
        }
        return (p, y, q);
    }

    [Fact]
    public void Platt_scaling_undoes_a_logistic_distortion()
    {
        var (p, y, _) = Distorted(20_000, 1);
        var platt = Assert.IsType<PlattCalibrator>(Calibrator.Fit("platt", p, y));
        // p's log-odds are 0.5·logit + 1, so the inverse is 2·x − 2
        Assert.InRange(platt.A, 1.85, 2.15);
        Assert.InRange(platt.B, -2.2, -1.8);
        var (test, labels, truth) = Distorted(5000, 2);
        var calibrated = test.Select(platt.Apply).ToArray();
        Assert.True(calibrated.Zip(truth).Max(t => Math.Abs(t.First - t.Second)) < 0.03);
        Assert.True(ProbabilityMetrics.BrierScore(labels, calibrated) < ProbabilityMetrics.BrierScore(labels, test));
    }

    [Fact]
    public void Isotonic_calibration_is_non_decreasing_and_close_to_the_truth()
    {
        var (p, y, _) = Distorted(20_000, 3);
        var isotonic = Assert.IsType<IsotonicCalibrator>(Calibrator.Fit("isotonic", p, y));
        for (var k = 1; k < isotonic.Points.Count; k++)
        {
            Assert.True(isotonic.Points[k] > isotonic.Points[k - 1]);
            Assert.True(isotonic.Values[k] >= isotonic.Values[k - 1]);
        }
        var (test, labels, truth) = Distorted(5000, 4);
        var calibrated = test.Select(isotonic.Apply).ToArray();
        Assert.True(calibrated.Zip(truth).Average(t => Math.Abs(t.First - t.Second)) < 0.03);
        Assert.True(ProbabilityMetrics.BrierScore(labels, calibrated) < ProbabilityMetrics.BrierScore(labels, test));
        Assert.Equal(isotonic.Values[0], isotonic.Apply(-1));
        Assert.Equal(isotonic.Values[^1], isotonic.Apply(2));
    }

    [Fact]
    public void A_calibrated_model_applies_it_everywhere_and_keeps_it_in_its_file()
    {
        var train = Synthetic.Categories(1500);
        var model = new GbdtLearner().Fit(train, "y", new GbdtOptions { Task = TaskKind.BinaryClassification, Rounds = 20, MaxDepth = 4 });
        var raw = model.Predict(train);
        var calibrator = new PlattCalibrator(0.5, 0.3);
        model.SetCalibration(calibrator);
        var calibrated = model.Predict(train);
        Assert.Equal(raw.Select(calibrator.Apply), calibrated);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = TrainedModel.Load(stream);
        Assert.Equal(calibrated, loaded.Predict(train));
        var one = new double[1];
        var row = new double[model.Schema.Features.Count];
        var view = Kiln.Learn.Data.FeatureView.Bind(train, model.Schema);
        for (var f = 0; f < row.Length; f++)
        {
            view.Fill(f, 7, row.AsSpan(f, 1));
        }
        loaded.Predict(row, one);
        Assert.Equal(calibrated[7], one[0], 12);
        Assert.Equal("platt", loaded.Calibrator!.Method);
    }

    [Fact]
    public void Bad_calibration_input_says_what_is_wrong()
    {
        Assert.Contains("both classes", Assert.Throws<LearnException>(() => Calibrator.Fit("platt", new double[50], new int[50])).Message);
        Assert.Contains("platt or isotonic", Assert.Throws<LearnException>(() => Calibrator.Fit("beta", [.. Enumerable.Range(0, 40).Select(i => i / 40.0)], [.. Enumerable.Range(0, 40).Select(i => i % 2)])).Message);
    }
}
