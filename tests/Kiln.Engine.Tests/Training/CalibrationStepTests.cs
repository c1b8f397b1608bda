using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Training;

/// <summary><c>kiln train --calibrate</c>: held-out rows, metrics and charts before and after, and the model keeps it.</summary>
public sealed class CalibrationStepTests : KilnHostTest
{
    [Theory]
    [InlineData("isotonic", false)]
    [InlineData("platt", true)]
    public async Task Training_with_calibration_records_reliability_before_and_after(string method, bool withValid)
    {
        var train = LoanData.Write(Dir, "t.csv", 2000, 71);
        var valid = withValid ? LoanData.Write(Dir, "v.csv", 800, 72) : null;
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "60", ["learning_rate"] = "0.3" }, valid, Calibrate: method));
        Assert.Equal(method, result.Model.Calibrator!.Method);
        foreach (var name in new[] { "calibration_brier", "calibration_log_loss", "calibration_ece" })
        {
            Assert.True(result.Metrics.ContainsKey(name + "_before"), name);
            Assert.True(result.Metrics.ContainsKey(name + "_after"), name);
        }
        if (method == "isotonic")
        {
            // fitted on those rows, isotonic calibration is all but exact on them
            Assert.True(result.Metrics["calibration_ece_after"] < result.Metrics["calibration_ece_before"]);
        }
        var run = await Host.Get<Kiln.Engine.Tracking.ITracking>().GetRunAsync(result.RunId);
        Assert.Contains(run.Data.Params, p => p.Key == "calibration" && p.Value == method);
        Assert.Contains(run.Data.Params, p => p.Key == "calibration_data" && p.Value == (withValid ? "valid_data" : "20% of train_data held out from the fit"));
        var files = Directory.GetFiles(Dir, "calibration_*.svg", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("calibration_before.svg", files);
        Assert.Contains("calibration_after.svg", files);
    }

    [Fact]
    public async Task Calibrating_a_regression_is_refused_before_a_run_exists()
    {
        var train = LoanData.Write(Dir, "t.csv", 300, 73);
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "income", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "3" }, Task: "regression", Calibrate: "platt")));
        Assert.Contains("binary classifier", e.Message);
    }
}
