namespace Kiln.Learn;

/// <summary>What a model predicts.</summary>
public enum TaskKind
{
    /// <summary>Two classes; the model outputs one value, the probability of the second class (<c>Classes[1]</c>).</summary>
    BinaryClassification,

    /// <summary>Two or more classes; the model outputs one probability per class, in <c>Classes</c> order.</summary>
    MulticlassClassification,

    /// <summary>A numeric target; the model outputs one value.</summary>
    Regression,
}
