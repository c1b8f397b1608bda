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

    /// <summary>The position of the feature named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (Features[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }
}
