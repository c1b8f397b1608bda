using Kiln.Engine.Charts;
using Kiln.Learn;
using Kiln.Learn.Calibration;
using Kiln.Learn.Metrics;
using Kiln.Tabular;

namespace Kiln.Engine.Training;

/// <summary>What calibrating a model did: the method, the reliability curves before and after, and the held-out metrics.</summary>
/// <param name="Method">platt or isotonic.</param>
/// <param name="Charts"><c>calibration_before</c> and <c>calibration_after</c> reliability curves.</param>
/// <param name="Metrics"><c>calibration_brier_before/after</c>, <c>calibration_log_loss_before/after</c> and
/// <c>calibration_ece_before/after</c> (expected calibration error over 10 bins) on the calibration rows.</param>
public sealed record CalibrationOutcome(string Method, IReadOnlyList<(string Name, string Svg)> Charts, Dictionary<string, double> Metrics);

/// <summary>Fits a calibrator on held-out rows and sets it on the model (see <see cref="TrainedModel.SetCalibration"/>).</summary>
public static class CalibrationStep
{
    /// <summary>Calibrates <paramref name="model"/> on <paramref name="rows"/>.</summary>
    /// <exception cref="Core.Errors.KilnException">Too few rows, or rows of one class only.</exception>
    public static CalibrationOutcome Run(TrainedModel model, Table rows, string target, string method, CancellationToken ct)
    {
        var labels = ModelEvaluation.Labels(rows[target], model.Schema.Classes);
        var before = model.Predict(rows, ct);
        Calibrator calibrator;
        try
        {
            calibrator = Calibrator.Fit(method, before, labels);
        }
        catch (LearnException e)
        {
            throw Core.Errors.KilnException.Invalid(e.Message);
        }
        model.SetCalibration(calibrator);
        var after = model.Predict(rows, ct);
        var metrics = new Dictionary<string, double>
        {
            ["calibration_brier_before"] = ProbabilityMetrics.BrierScore(labels, before),
            ["calibration_brier_after"] = ProbabilityMetrics.BrierScore(labels, after),
            ["calibration_log_loss_before"] = ProbabilityMetrics.LogLoss(labels, before),
            ["calibration_log_loss_after"] = ProbabilityMetrics.LogLoss(labels, after),
            ["calibration_ece_before"] = Ece(labels, before),
            ["calibration_ece_after"] = Ece(labels, after),
        };
        List<(string, string)> charts =
        [
            ("calibration_before", CurveChart.Calibration(Bins(labels, before), null, "Reliability before calibration")),
            ("calibration_after", CurveChart.Calibration(Bins(labels, after), null, $"Reliability after {calibrator.Method} calibration")),
        ];
        return new CalibrationOutcome(calibrator.Method, charts, metrics);
    }

    private static List<(double, double, int)> Bins(int[] labels, double[] probabilities) =>
        [.. ProbabilityMetrics.CalibrationCurve(labels, probabilities).Select(b => (b.MeanPredicted, b.FractionPositive, b.Count))];

    /// <summary>Expected calibration error: the row-weighted mean |fraction positive − mean predicted| over 10 equal-width bins.</summary>
    public static double Ece(int[] labels, double[] probabilities)
    {
        var bins = ProbabilityMetrics.CalibrationCurve(labels, probabilities);
        var rows = bins.Sum(b => b.Count);
        return rows == 0 ? 0 : bins.Sum(b => b.Count * Math.Abs(b.FractionPositive - b.MeanPredicted)) / rows;
    }
}
