using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Training;

/// <summary>The task a training run fits, and why it was chosen (printed and recorded on the run).</summary>
public sealed record TaskChoice(TaskKind Task, string Reason);

/// <summary>
/// Chooses the task from the target column when <c>--task</c> is not given, by one documented rule:
/// <list type="number">
/// <item>A target with fewer than two distinct values is an error for every learner: there is nothing to learn.</item>
/// <item>A text or categorical target is classification: binary with two classes, multiclass with more.</item>
/// <item>A numeric target with two distinct integer values (0/1, 1/2) is binary classification.</item>
/// <item>A numeric target of integers with 3 to 10 distinct values, each seen at least 5 times, is multiclass
/// classification (class labels such as the digits 0–9).</item>
/// <item>Any other numeric target is regression.</item>
/// </list>
/// A learner that only does regression (<c>linear</c>) refuses a target that the rule calls classes, and points to
/// <c>logistic</c>; <c>--task</c> overrides everything.
/// </summary>
public static class TaskInference
{
    private const int MaxIntegerClasses = 10;
    private const int MinRowsPerIntegerClass = 5;

    /// <summary>The task for <paramref name="target"/>; INVALID_PARAMETER_VALUE when the target cannot be learned or the learner cannot fit it.</summary>
    public static TaskChoice Choose(Table table, string target, TaskKind? requested, string learner, TaskKind? learnerTask)
    {
        var column = table[target];
        var counts = Counts(column, MaxIntegerClasses);
        if (counts.Count < 2)
        {
            throw KilnException.Invalid(counts.Count == 0
                ? $"The target '{target}' has no values (all {column.Length} rows are missing): there is nothing to learn. Check --target."
                : $"The target '{target}' has one value ('{counts.Keys.Single()}') in all {column.Length} rows: there is nothing to learn. Check --target, or the file.");
        }
        if (requested is { } r)
        {
            return new TaskChoice(r, "--task");
        }
        var inferred = InferFromValues(column, target, counts);
        if (learnerTask is TaskKind.Regression && inferred.Task != TaskKind.Regression)
        {
            throw KilnException.Invalid(
                $"'{learner}' is a regression learner, but the target '{target}' looks like classes ({inferred.Reason}). " +
                "Use --learner logistic (or gbdt, forest) to classify, or --task regression to fit it as a number.");
        }
        if (learnerTask is TaskKind.BinaryClassification or TaskKind.MulticlassClassification && inferred.Task == TaskKind.Regression)
        {
            var task = counts.Count <= 2 ? TaskKind.BinaryClassification : TaskKind.MulticlassClassification;
            return new TaskChoice(task, $"'{learner}' classifies; the target '{target}' has {Describe(counts)}");
        }
        return inferred;
    }

    /// <summary>Parses <c>--task</c>.</summary>
    public static TaskKind Parse(string text) => text.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "binary" or "binaryclassification" => TaskKind.BinaryClassification,
        "multiclass" or "multiclassclassification" => TaskKind.MulticlassClassification,
        "regression" => TaskKind.Regression,
        _ => throw KilnException.Invalid($"Unknown task '{text}': use binary, multiclass or regression."),
    };

    private static TaskChoice InferFromValues(Column column, string target, Dictionary<string, int> counts)
    {
        if (column is CategoricalColumn or TextColumn)
        {
            return counts.Count == 2
                ? new TaskChoice(TaskKind.BinaryClassification, $"'{target}' is text with two classes: {Describe(counts)}")
                : new TaskChoice(TaskKind.MulticlassClassification, $"'{target}' is text with {Describe(counts)}");
        }
        var integral = AllIntegral(column);
        if (integral && counts.Count == 2)
        {
            return new TaskChoice(TaskKind.BinaryClassification, $"'{target}' holds two integer values: {Describe(counts)}");
        }
        if (integral && counts.Count <= MaxIntegerClasses && counts.Values.All(c => c >= MinRowsPerIntegerClass))
        {
            return new TaskChoice(TaskKind.MulticlassClassification,
                $"'{target}' holds {counts.Count} integer values, each at least {MinRowsPerIntegerClass} times — class labels: {Describe(counts)}");
        }
        return new TaskChoice(TaskKind.Regression, integral
            ? $"'{target}' holds integers with too many distinct values, or too few rows per value, to be class labels"
            : $"'{target}' holds numbers that are not all integers");
    }

    private static string Describe(Dictionary<string, int> counts) =>
        counts.Count > MaxIntegerClasses
            ? $"more than {MaxIntegerClasses} distinct values"
            : $"{counts.Count} values ({string.Join(", ", counts.Keys.Order(StringComparer.Ordinal).Take(6))}{(counts.Count > 6 ? ", …" : "")})";

    /// <summary>Distinct non-missing values and their counts; stops at <paramref name="limit"/> + 1 distinct values ("more than the limit").</summary>
    private static Dictionary<string, int> Counts(Column column, int limit)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < column.Length; row++)
        {
            if (column.IsMissing(row))
            {
                continue;
            }
            var value = column.FormatValue(row) ?? "";
            counts[value] = counts.GetValueOrDefault(value) + 1;
            if (counts.Count > limit)
            {
                break;
            }
        }
        return counts;
    }

    private static bool AllIntegral(Column column)
    {
        if (column is not NumericColumn numeric)
        {
            return false;
        }
        for (var row = 0; row < numeric.Length; row++)
        {
            var value = numeric.GetValue(row);
            if (!double.IsNaN(value) && value != Math.Floor(value))
            {
                return false;
            }
        }
        return true;
    }
}
