using System.Globalization;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Data;

/// <summary>Per-row training weights: the weight column times the class weight times <c>scale_pos_weight</c>.</summary>
public static class RowWeights
{
    /// <summary>The weights of <paramref name="table"/>'s rows under <paramref name="options"/>, or null when every row weighs 1.</summary>
    /// <exception cref="LearnException">A weight column that is missing, not numeric, negative, not finite or all zero; a class
    /// weight naming an unknown class or not a positive number.</exception>
    internal static double[]? Of(Table table, double[] target, ModelSchema schema, LearnerOptions options)
    {
        var n = table.RowCount;
        double[]? weights = null;
        if (options.WeightColumn.Length > 0)
        {
            weights = Column(table, options.WeightColumn);
        }
        var classWeights = ClassWeights(options.ClassWeight, target, schema);
        if (schema.Task == TaskKind.BinaryClassification && options.ScalePosWeight != 1)
        {
            classWeights ??= [1, 1];
            classWeights[1] *= options.ScalePosWeight;
        }
        if (classWeights is not null)
        {
            weights ??= [.. Enumerable.Repeat(1.0, n)];
            for (var i = 0; i < n; i++)
            {
                weights[i] *= classWeights[(int)target[i]];
            }
        }
        if (weights is not null && weights.Sum() <= 0)
        {
            throw new LearnException("Every row weighs 0: a fit needs some weight.");
        }
        return weights;
    }

    /// <summary>The values of weight column <paramref name="name"/>, checked.</summary>
    public static double[] Column(Table table, string name)
    {
        if (!table.TryGetColumn(name, out var column))
        {
            throw new LearnException($"Weight column '{name}' is not in the table; its columns are: {string.Join(", ", table.ColumnNames)}.");
        }
        if (column is not NumericColumn numeric)
        {
            throw new LearnException($"Weight column '{name}' is {column.Kind}; weights are numbers ≥ 0.");
        }
        var values = new double[column.Length];
        numeric.CopyTo(values);
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) || values[i] < 0)
            {
                throw new LearnException($"Weight column '{name}' holds {(double.IsNaN(values[i]) ? "a missing value" : values[i].ToString(CultureInfo.InvariantCulture))} at row {i + 1}; weights are finite numbers ≥ 0.");
            }
        }
        return values;
    }

    private static double[]? ClassWeights(string spec, double[] target, ModelSchema schema)
    {
        if (spec.Length == 0)
        {
            return null;
        }
        var classes = schema.Classes.Count;
        var weights = Enumerable.Repeat(1.0, classes).ToArray();
        if (spec.Equals("balanced", StringComparison.OrdinalIgnoreCase))
        {
            var counts = new double[classes];
            foreach (var y in target)
            {
                counts[(int)y]++;
            }
            for (var c = 0; c < classes; c++)
            {
                weights[c] = counts[c] == 0 ? 0 : target.Length / (classes * counts[c]);
            }
            return weights;
        }
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            var name = colon < 0 ? "" : part[..colon].Trim();
            var c = colon < 0 ? -1 : schema.Classes.ToList().IndexOf(name);
            if (c < 0 || !double.TryParse(part[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || !(w > 0) || !double.IsFinite(w))
            {
                throw new LearnException($"class_weight: '{part}' is not CLASS:WEIGHT with a class of the target ({string.Join(", ", schema.Classes)}) and a weight > 0; or use class_weight=balanced.");
            }
            weights[c] = w;
        }
        return weights;
    }
}
