using System.Globalization;

namespace Kiln.Engine.Charts;

/// <summary>Classifier evaluation curves on the unit square: ROC, precision-recall and calibration.</summary>
public static class CurveChart
{
    /// <summary>ROC curve with the chance diagonal; <paramref name="auc"/> is shown in the title and legend.</summary>
    public static string Roc(IReadOnlyList<(double Fpr, double Tpr)> points, double auc, ChartOptions? options = null)
    {
        var curve = new Series($"ROC (AUC = {Score(auc)})", [.. points.Select(p => p.Fpr)], [.. points.Select(p => p.Tpr)]);
        return LinePlot.Render($"ROC curve (AUC = {Score(auc)})", "False positive rate", "True positive rate",
            [new PlotLine(curve, Palette.Series(0).Color), new PlotLine(Diagonal("Chance"), Palette.Reference, Dashed: true, Reference: true)], UnitSquare(options));
    }

    /// <summary>Precision-recall curve with the no-skill baseline at <paramref name="positiveRate"/>.</summary>
    public static string PrecisionRecall(IReadOnlyList<(double Recall, double Precision)> points, double averagePrecision, double positiveRate, ChartOptions? options = null)
    {
        var curve = new Series($"PR (AP = {Score(averagePrecision)})", [.. points.Select(p => p.Recall)], [.. points.Select(p => p.Precision)]);
        var baseline = new Series($"Baseline (positive rate {Score(positiveRate)})", [0.0, 1.0], [positiveRate, positiveRate]);
        return LinePlot.Render($"Precision-recall curve (AP = {Score(averagePrecision)})", "Recall", "Precision",
            [new PlotLine(curve, Palette.Series(0).Color), new PlotLine(baseline, Palette.Reference, Dashed: true, Reference: true)], UnitSquare(options));
    }

    /// <summary>Reliability diagram: fraction of positives against mean predicted probability per bin; empty bins are skipped.</summary>
    public static string Calibration(IReadOnlyList<(double MeanPredicted, double FractionPositive, int Count)> bins, ChartOptions? options = null,
        string title = "Calibration curve")
    {
        var used = bins.Where(b => b.Count > 0).ToList();
        var curve = new Series("Model", [.. used.Select(b => b.MeanPredicted)], [.. used.Select(b => b.FractionPositive)]);
        return LinePlot.Render($"{title} (n = {used.Sum(b => (long)b.Count)})", "Mean predicted probability", "Fraction of positives",
            [new PlotLine(curve, Palette.Series(0).Color, Markers: true), new PlotLine(Diagonal("Perfectly calibrated"), Palette.Reference, Dashed: true, Reference: true)],
            UnitSquare(options));
    }

    private static Series Diagonal(string name) => new(name, [0.0, 1.0], [0.0, 1.0]);

    private static string Score(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static ChartOptions UnitSquare(ChartOptions? options)
    {
        var o = options ?? new ChartOptions { Width = 560, Height = 500 };
        return o with { XRange = o.XRange ?? (0, 1), YRange = o.YRange ?? (0, 1) };
    }
}
