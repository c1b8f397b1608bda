using System.Globalization;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Data;

/// <summary>A table checked and split into features and target, the common first step of every learner.</summary>
internal sealed class TrainingData
{
    private TrainingData(ModelSchema schema, FeatureView features, double[] target)
    {
        Schema = schema;
        Features = features;
        Target = target;
    }

    public ModelSchema Schema { get; }

    public FeatureView Features { get; }

    /// <summary>Regression: the target values; classification: the class index of each row.</summary>
    public double[] Target { get; }

    /// <summary>Each row's training weight, or null when every row weighs 1.</summary>
    public double[]? Weights { get; private init; }

    public int RowCount => Features.RowCount;

    /// <summary>Checks <paramref name="train"/> and builds the schema; every problem is a <see cref="LearnException"/> naming the column.</summary>
    public static TrainingData Create(Table train, string target, TaskKind task) => Create(train, target, task, null);

    /// <summary>As <see cref="Create(Table, string, TaskKind)"/>, leaving <paramref name="options"/>' weight column out of the
    /// features and reading the rows' weights (<see cref="Weights"/>).</summary>
    public static TrainingData Create(Table train, string target, TaskKind task, LearnerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(target);
        if (!train.TryGetColumn(target, out var targetColumn))
        {
            throw new LearnException($"Target column '{target}' is not in the table; its columns are: {string.Join(", ", train.ColumnNames)}.");
        }
        if (train.RowCount == 0)
        {
            throw new LearnException("The training table has no rows.");
        }
        var features = new List<FeatureInfo>();
        foreach (var column in train.Columns)
        {
            if (column.Name == target || (options is not null && column.Name == options.WeightColumn))
            {
                continue;
            }
            if (column.CountMissing() == column.Length)
            {
                throw new LearnException($"Feature column '{column.Name}' has no values (all {column.Length} are missing); drop it or fill it.");
            }
            features.Add(column switch
            {
                NumericColumn => new FeatureInfo(column.Name, FeatureKind.Numeric, []),
                CategoricalColumn c => new FeatureInfo(column.Name, FeatureKind.Categorical, [.. c.Categories]),
                _ => throw new LearnException($"Feature column '{column.Name}' is {column.Kind}; learners take numeric and categorical columns only. Drop it or convert it to categorical."),
            });
        }
        if (features.Count == 0)
        {
            throw new LearnException($"The table has no feature columns besides the target '{target}'.");
        }
        var (values, classes) = ReadTarget(targetColumn, task, null);
        var schema = new ModelSchema(task, target, features, classes);
        return new TrainingData(schema, FeatureView.Bind(train, schema), values)
        {
            Weights = options is null ? null : RowWeights.Of(train, values, schema, options),
        };
    }

    /// <summary>Binds another table (validation, cross-validation fold) to this schema, target included.</summary>
    public TrainingData Bind(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.TryGetColumn(Schema.Target, out var targetColumn))
        {
            throw new LearnException($"Target column '{Schema.Target}' is not in the validation table.");
        }
        var (values, _) = ReadTarget(targetColumn, Schema.Task, Schema.Classes);
        return new TrainingData(Schema, FeatureView.Bind(table, Schema), values);
    }

    private static (double[] Values, IReadOnlyList<string> Classes) ReadTarget(Column column, TaskKind task, IReadOnlyList<string>? knownClasses)
    {
        var name = column.Name;
        var missing = column.CountMissing();
        if (missing > 0)
        {
            throw new LearnException($"Target column '{name}' has {missing} missing values; drop those rows before training.");
        }
        if (task == TaskKind.Regression)
        {
            if (column is not NumericColumn numeric)
            {
                throw new LearnException($"Target column '{name}' is {column.Kind}; regression needs a numeric target.");
            }
            var values = new double[column.Length];
            numeric.CopyTo(values);
            foreach (var v in values)
            {
                if (!double.IsFinite(v))
                {
                    throw new LearnException($"Target column '{name}' holds {v}; regression targets must be finite.");
                }
            }
            return (values, []);
        }
        var labels = new string[column.Length];
        var distinct = new SortedSet<double>();
        switch (column)
        {
            case NumericColumn numeric:
                for (var i = 0; i < labels.Length; i++)
                {
                    distinct.Add(numeric.GetValue(i));
                }
                break;
            case CategoricalColumn or TextColumn:
                break;
            default:
                throw new LearnException($"Target column '{name}' is {column.Kind}; classification needs a numeric or categorical target.");
        }
        IReadOnlyList<string> classes;
        if (knownClasses is null)
        {
            if (column is NumericColumn)
            {
                classes = [.. distinct.Select(v => v.ToString("R", CultureInfo.InvariantCulture))];
            }
            else
            {
                var used = new SortedSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < labels.Length; i++)
                {
                    used.Add(column.FormatValue(i)!);
                }
                classes = [.. used];
            }
            if (classes.Count < 2)
            {
                throw new LearnException($"Target column '{name}' has only one class ('{classes[0]}'); classification needs at least two.");
            }
            if (task == TaskKind.BinaryClassification && classes.Count > 2)
            {
                throw new LearnException($"Target column '{name}' has {classes.Count} classes; binary classification needs exactly two (use MulticlassClassification).");
            }
        }
        else
        {
            classes = knownClasses;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++)
        {
            index[classes[i]] = i;
        }
        var result = new double[column.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var label = column.FormatValue(i)!;
            if (!index.TryGetValue(label, out var c))
            {
                throw new LearnException($"Target column '{name}' holds class '{label}', which the training data does not have.");
            }
            result[i] = c;
        }
        return (result, classes);
    }
}
