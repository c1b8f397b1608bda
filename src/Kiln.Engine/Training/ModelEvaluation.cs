using Kiln.Engine.Charts;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Learn.Metrics;
using Kiln.Learn.Trees;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Training;

/// <summary>Metrics and charts for a model on a labelled table, chosen by task.</summary>
public sealed record Evaluation(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<(string Name, string Svg)> Charts);

/// <summary>
/// Evaluates a model: classification gets accuracy, precision/recall/F1, log loss, and (binary) ROC AUC, PR AUC,
/// Brier score with ROC, PR and calibration charts; every classifier gets a confusion matrix; regression gets RMSE,
/// MAE, R² and MAPE.
/// </summary>
public static class ModelEvaluation
{
    private const int MaxCurvePoints = 200;

    public static Evaluation Evaluate(TrainedModel model, Table table, string target, CancellationToken ct, Table? training = null, double[]? predictions = null,
        string? weightColumn = null)
    {
        // On the training table, the outputs the learner computed while fitting are the model's predictions: reuse them.
        var outputs = predictions
            ?? (ReferenceEquals(table, training) && model.TakeTrainingOutputs() is { } kept && kept.Length == table.RowCount * model.OutputCount
                ? kept
                : model.Predict(table, ct));
        if (!string.IsNullOrEmpty(weightColumn))
        {
            return EvaluateWeighted(model.Schema with { Target = target }, table, outputs, weightColumn);
        }
        return Evaluate(model.Schema with { Target = target }, table, outputs);
    }

    /// <summary>
    /// <see cref="Evaluate(ModelSchema, Table, double[])"/> with each row weighted by <paramref name="weightColumn"/>: the same
    /// metric names, weighted (<see cref="WeightedMetrics"/>), plus <c>weight_sum</c>; the charts are the unweighted ones.
    /// </summary>
    public static Evaluation EvaluateWeighted(ModelSchema schema, Table table, double[] outputs, string weightColumn)
    {
        double[] weights;
        try
        {
            weights = RowWeights.Column(table, weightColumn);
        }
        catch (LearnException e)
        {
            throw Core.Errors.KilnException.Invalid(e.Message);
        }
        var plain = Evaluate(schema, table, outputs);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["weight_sum"] = weights.Sum() };
        var column = table[schema.Target];
        if (schema.Task == TaskKind.Regression)
        {
            var actual = new double[column.Length];
            ((NumericColumn)column).CopyTo(actual);
            var (rmse, mae, r2, mape) = WeightedMetrics.Regression(actual, outputs, weights);
            (metrics["rmse"], metrics["mae"], metrics["r2"], metrics["mape"]) = (rmse, mae, r2, mape);
            return new Evaluation(metrics, plain.Charts);
        }
        var labels = Labels(column, schema.Classes);
        var classCount = schema.Classes.Count;
        if (schema.Task == TaskKind.BinaryClassification)
        {
            var predicted = ClassificationMetrics.Classify(outputs, schema.DecisionThreshold);
            metrics["roc_auc"] = WeightedMetrics.RocAuc(labels, outputs, weights);
            metrics["pr_auc"] = WeightedMetrics.AveragePrecision(labels, outputs, weights);
            metrics["log_loss"] = WeightedMetrics.LogLoss(labels, outputs, weights);
            metrics["brier_score"] = WeightedMetrics.BrierScore(labels, outputs, weights);
            var (accuracy, precision, recall, f1, _) = WeightedMetrics.Classification(labels, predicted, 2, weights);
            (metrics["accuracy"], metrics["precision"], metrics["recall"], metrics["f1"]) = (accuracy, precision, recall, f1);
        }
        else
        {
            var predicted = ClassificationMetrics.ArgMax(outputs, classCount);
            metrics["log_loss"] = WeightedMetrics.LogLoss(labels, outputs, classCount, weights);
            var (accuracy, precision, recall, f1, f1Weighted) = WeightedMetrics.Classification(labels, predicted, classCount, weights);
            (metrics["accuracy"], metrics["precision_macro"], metrics["recall_macro"], metrics["f1_macro"], metrics["f1_weighted"]) = (accuracy, precision, recall, f1, f1Weighted);
        }
        return new Evaluation(metrics, plain.Charts);
    }

    /// <summary>The metrics and charts of <paramref name="outputs"/> (a model of any flavor's predictions for
    /// <paramref name="table"/>) against the table's <see cref="ModelSchema.Target"/> column.</summary>
    public static Evaluation Evaluate(ModelSchema schema, Table table, double[] outputs)
    {
        var column = table[schema.Target];
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var charts = new List<(string, string)>();
        if (schema.Task == TaskKind.Regression)
        {
            var actual = new double[column.Length];
            ((NumericColumn)column).CopyTo(actual);
            metrics["rmse"] = RegressionMetrics.Rmse(actual, outputs);
            metrics["mae"] = RegressionMetrics.Mae(actual, outputs);
            metrics["r2"] = RegressionMetrics.R2(actual, outputs);
            metrics["mape"] = RegressionMetrics.Mape(actual, outputs);
            charts.Add(("residuals", ResidualChart(actual, outputs)));
            return new Evaluation(metrics, charts);
        }

        var labels = Labels(column, schema.Classes);
        var classCount = schema.Classes.Count;
        int[] predicted;
        if (schema.Task == TaskKind.BinaryClassification)
        {
            predicted = ClassificationMetrics.Classify(outputs, schema.DecisionThreshold);
            var order = ProbabilityMetrics.AscendingOrder(outputs); // one sort for both areas and both curves
            metrics["roc_auc"] = ProbabilityMetrics.RocAuc(labels, outputs, order);
            metrics["pr_auc"] = ProbabilityMetrics.AveragePrecision(labels, outputs, order);
            metrics["log_loss"] = ProbabilityMetrics.LogLoss(labels, outputs);
            metrics["brier_score"] = ProbabilityMetrics.BrierScore(labels, outputs);
            metrics["precision"] = ClassificationMetrics.Precision(labels, predicted);
            metrics["recall"] = ClassificationMetrics.Recall(labels, predicted);
            metrics["f1"] = ClassificationMetrics.F1(labels, predicted);
            var (roc, pr) = Curves(labels, outputs, order);
            var positiveRate = labels.Average();
            charts.Add(("roc_curve", CurveChart.Roc(roc, metrics["roc_auc"])));
            charts.Add(("pr_curve", CurveChart.PrecisionRecall(pr, metrics["pr_auc"], positiveRate)));
            charts.Add(("calibration", CurveChart.Calibration([.. ProbabilityMetrics.CalibrationCurve(labels, outputs).Select(b => (b.MeanPredicted, b.FractionPositive, b.Count))])));
        }
        else
        {
            predicted = ClassificationMetrics.ArgMax(outputs, classCount);
            metrics["log_loss"] = ProbabilityMetrics.LogLoss(labels, outputs, classCount);
            metrics["f1_macro"] = ClassificationMetrics.F1(labels, predicted, classCount, Averaging.Macro);
            metrics["f1_weighted"] = ClassificationMetrics.F1(labels, predicted, classCount, Averaging.Weighted);
            metrics["precision_macro"] = ClassificationMetrics.Precision(labels, predicted, classCount, Averaging.Macro);
            metrics["recall_macro"] = ClassificationMetrics.Recall(labels, predicted, classCount, Averaging.Macro);
        }
        metrics["accuracy"] = ClassificationMetrics.Accuracy(labels, predicted);
        var matrix = ConfusionMatrix.Create(labels, predicted, classCount);
        var counts = new long[classCount, classCount];
        for (var a = 0; a < classCount; a++)
        {
            for (var p = 0; p < classCount; p++)
            {
                counts[a, p] = matrix[a, p];
            }
        }
        charts.Add(("confusion_matrix", ConfusionMatrixChart.Render(schema.Classes, counts)));
        return new Evaluation(metrics, charts);
    }

    /// <summary>Mean residual (actual − predicted) and its spread by decile of the prediction: a flat line at 0 is a well-calibrated regressor.</summary>
    private static string ResidualChart(double[] actual, double[] predicted)
    {
        var order = Enumerable.Range(0, actual.Length).OrderBy(i => predicted[i]).ToArray();
        var (x, mean, low, high) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var d = 0; d < 10 && order.Length > 0; d++)
        {
            var part = order[(d * order.Length / 10)..((d + 1) * order.Length / 10)];
            if (part.Length == 0)
            {
                continue;
            }
            var residuals = part.Select(i => actual[i] - predicted[i]).Order().ToArray();
            x.Add(part.Average(i => predicted[i]));
            mean.Add(residuals.Average());
            low.Add(residuals[residuals.Length / 10]);
            high.Add(residuals[residuals.Length * 9 / 10]);
        }
        return LineChart.Render("Residuals by prediction decile", "mean prediction", "actual − predicted",
            [new Series("mean residual", x, mean), new Series("10th percentile", x, low), new Series("90th percentile", x, high)]);
    }

    /// <summary>Gain and split-count importance for tree models (empty for others), largest gain first.</summary>
    public static IReadOnlyList<FeatureImportance> Importance(TrainedModel model) =>
        model is TreeModel trees ? [.. trees.Importance.OrderByDescending(i => i.Gain)] : [];

    /// <summary>The class index of each row's label, in the model's class order.</summary>
    public static int[] Labels(Column column, IReadOnlyList<string> classes)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++)
        {
            index[classes[i]] = i;
        }
        var labels = new int[column.Length];
        for (var row = 0; row < labels.Length; row++)
        {
            var label = column.FormatValue(row) ?? "";
            labels[row] = index.TryGetValue(label, out var c)
                ? c
                : throw new LearnException($"Column '{column.Name}' row {row + 1} holds class '{label}', which the model was not trained on.");
        }
        return labels;
    }

    /// <summary>ROC and precision-recall points from a threshold sweep, thinned to at most 200 points each.</summary>
    public static (List<(double Fpr, double Tpr)> Roc, List<(double Recall, double Precision)> Pr) Curves(int[] labels, double[] scores, int[] ascendingOrder)
    {
        var order = ascendingOrder.ToArray();
        Array.Reverse(order); // the sweep goes from the highest score down
        double positives = labels.Count(l => l == 1);
        double negatives = labels.Length - positives;
        var roc = new List<(double, double)> { (0, 0) };
        var pr = new List<(double, double)>();
        double tp = 0, fp = 0;
        var step = Math.Max(1, order.Length / MaxCurvePoints);
        for (var i = 0; i < order.Length; i++)
        {
            if (labels[order[i]] == 1)
            {
                tp++;
            }
            else
            {
                fp++;
            }
            var lastOfTie = i == order.Length - 1 || scores[order[i + 1]] != scores[order[i]];
            if (lastOfTie && (i % step == 0 || i == order.Length - 1))
            {
                roc.Add((negatives == 0 ? 0 : fp / negatives, positives == 0 ? 0 : tp / positives));
                pr.Add((positives == 0 ? 0 : tp / positives, tp / (tp + fp)));
            }
        }
        return (roc, pr);
    }
}
