using Kiln.Learn;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Training;

/// <summary>
/// Chooses the task from the target column when <c>--task</c> is not given: a categorical or text target is
/// classification (binary with two classes); a numeric target whose values are all 0/1-like integers with two
/// distinct values is binary classification; any other numeric target is regression.
/// </summary>
public static class TaskInference
{
    public static TaskKind Infer(Table table, string target, TaskKind? requested, TaskKind? learnerTask)
    {
        if (requested is { } r)
        {
            return r;
        }
        var column = table[target];
        var distinct = Distinct(column, limit: 3);
        if (learnerTask is TaskKind.Regression)
        {
            return TaskKind.Regression;
        }
        if (column is CategoricalColumn or TextColumn)
        {
            return distinct <= 2 ? TaskKind.BinaryClassification : TaskKind.MulticlassClassification;
        }
        if (learnerTask is TaskKind.BinaryClassification or TaskKind.MulticlassClassification)
        {
            return distinct <= 2 ? TaskKind.BinaryClassification : TaskKind.MulticlassClassification;
        }
        return distinct == 2 && AllIntegral(column) ? TaskKind.BinaryClassification : TaskKind.Regression;
    }

    public static TaskKind Parse(string text) => text.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "binary" or "binaryclassification" => TaskKind.BinaryClassification,
        "multiclass" or "multiclassclassification" => TaskKind.MulticlassClassification,
        "regression" => TaskKind.Regression,
        _ => throw Core.Errors.KilnException.Invalid($"Unknown task '{text}': use binary, multiclass or regression."),
    };

    private static int Distinct(Column column, int limit)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var row = 0; row < column.Length && seen.Count < limit; row++)
        {
            if (!column.IsMissing(row))
            {
                seen.Add(column.FormatValue(row) ?? "");
            }
        }
        return seen.Count;
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
