namespace Kiln.Learn.Metrics;

/// <summary>How per-class precision, recall and F1 combine into one figure.</summary>
public enum Averaging
{
    /// <summary>The figure for class 1 only (binary tasks).</summary>
    Binary,

    /// <summary>The unweighted mean over classes.</summary>
    Macro,

    /// <summary>The mean over classes weighted by each class's count in the actual labels.</summary>
    Weighted,
}
