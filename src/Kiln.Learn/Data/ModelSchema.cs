namespace Kiln.Learn.Data;

/// <summary>What a model reads and predicts: the task, the target, the features in input order and the classes.</summary>
/// <param name="Task">The task kind.</param>
/// <param name="Target">The target column's name.</param>
/// <param name="Features">The features, in the order one-row prediction expects them.</param>
/// <param name="Classes">The class labels in output order (empty for regression).</param>
public sealed record ModelSchema(TaskKind Task, string Target, IReadOnlyList<FeatureInfo> Features, IReadOnlyList<string> Classes)
{
    /// <summary>Values per prediction: 1 for regression and binary classification (probability of <c>Classes[1]</c>),
    /// one probability per class for multiclass.</summary>
    public int OutputCount => Task == TaskKind.MulticlassClassification ? Classes.Count : 1;

    /// <summary>
    /// For a binary model, the probability at or above which the prediction is the positive class (0.5 unless a rule chose
    /// another at training, <c>--threshold</c>; kept in the model file as the property <c>decision_threshold</c>).
    /// </summary>
    public double DecisionThreshold { get; init; } = 0.5;

    /// <summary>The position of the feature named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => s_positions.GetValue(Features, Positions).GetValueOrDefault(name, -1);

    /// <summary>Feature positions by name, built once per feature list (served requests look every column up).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<FeatureInfo>, Dictionary<string, int>> s_positions = [];

    private static Dictionary<string, int> Positions(IReadOnlyList<FeatureInfo> features)
    {
        var positions = new Dictionary<string, int>(features.Count, StringComparer.Ordinal);
        for (var i = features.Count - 1; i >= 0; i--)
        {
            positions[features[i].Name] = i; // the first of duplicate names wins, as the linear search had it
        }
        return positions;
    }
}
