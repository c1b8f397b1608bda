namespace Kiln.Learn.Trees;

/// <summary>What the tree grower needs, taken from a learner's options.</summary>
internal sealed record GrowerSettings
{
    /// <summary>Most levels below the root; 0 = unlimited.</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Most leaves; 0 = unlimited (then nodes are grown depth-first, which gives the depth-wise tree).</summary>
    public int MaxLeaves { get; init; }

    public double MinChildWeight { get; init; } = 1;

    public int MinSamplesLeaf { get; init; } = 1;

    public double Lambda { get; init; } = 1;

    public double Alpha { get; init; }

    public double Gamma { get; init; }

    /// <summary>Multiplies every leaf value (the learning rate).</summary>
    public double LeafScale { get; init; } = 1;

    /// <summary>Fraction of the tree's features tried at each node (random forest); 1 = all.</summary>
    public double NodeFeatureFraction { get; init; } = 1;

    public double CategoricalSmoothing { get; init; } = 10;

    public int MaxCategoricalThreshold { get; init; } = 32;

    /// <summary>Categories with fewer (estimated) rows in a node stay out of its categorical split search and go right.</summary>
    public int MinCategoryRows { get; init; }

    /// <summary>Round quantised gradients stochastically (unbiased, for boosting) rather than to nearest. A random forest
    /// rounds to nearest: its rows share a few gradient values, and equal values must stay equal so that a pure node
    /// shows no gain and is not split further on rounding noise.</summary>
    public bool StochasticRounding { get; init; } = true;

    /// <summary>Place a numeric split's threshold in the middle of the gap the node's rows leave around it (random forest,
    /// as scikit-learn) rather than just above the left side's largest value (gradient boosting, as XGBoost).</summary>
    public bool CenterThresholds { get; init; }

    /// <summary>Per feature: +1 the tree's output may only rise with it, −1 only fall, 0 free; null = no constraints.
    /// Enforced as XGBoost does: a split on a constrained feature must order its children's values, and every leaf below
    /// is clamped to the bounds the split's midpoint sets.</summary>
    public sbyte[]? Monotone { get; init; }

    /// <summary>Groups of features allowed to interact (every feature in at least one group): a node may split on a
    /// feature only if some group holds it together with every feature split on above it. Null = no constraints.</summary>
    public int[][]? InteractionGroups { get; init; }
}
