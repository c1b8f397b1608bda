namespace Kiln.Learn.Forest;

/// <summary>Options of the random forest learner (<see cref="ForestLearner"/>). Defaults follow scikit-learn's
/// RandomForestClassifier / RandomForestRegressor.</summary>
public sealed record ForestOptions : LearnerOptions
{
    /// <summary>Trees in the forest (a multiclass model stores each as one tree per class, see <see cref="ForestLearner"/>).
    /// Range 1-100,000; default 100.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Most levels below the root; 0 = unlimited (trees grow until leaves are pure or too small). Range 0-64; default 0.</summary>
    public int MaxDepth { get; init; }

    /// <summary>Least rows (bootstrap copies counted) in a leaf. Range ≥ 1; default 1.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>Fraction of the features tried at each split, in (0, 1]; null (default) = √(feature count) features for
    /// classification and all features for regression.</summary>
    public double? MaxFeatures { get; init; }

    /// <summary>Draw each tree's rows with replacement (bagging); when off every tree sees every row and there is no
    /// out-of-bag score. Default true.</summary>
    public bool Bootstrap { get; init; } = true;

    /// <summary>Rows drawn per tree as a fraction of the training rows (with <see cref="Bootstrap"/>). Range (0, 1]; default 1.</summary>
    public double MaxSamples { get; init; } = 1;

    /// <summary>Least rows a category needs in a node to take part in a categorical split there (smaller ones go to the right
    /// side with the unseen categories): a category seen a handful of times in a deep node would otherwise be placed by
    /// noise (as LightGBM's min_data_per_group). Range ≥ 0; default 20.</summary>
    public int MinCategoryRows { get; init; } = 20;

    /// <summary>Most bins per feature, the missing-value bin included. Range 4-256; default 256.</summary>
    public int MaxBins { get; init; } = 256;

    /// <summary>Rows sampled to choose numeric bin boundaries. Range ≥ 1,000; default 200,000.</summary>
    public int BinSampleSize { get; init; } = 200_000;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        CheckRange(Trees, 1, 100_000, nameof(Trees));
        CheckRange(MaxDepth, 0, 64, nameof(MaxDepth));
        CheckRange(MinSamplesLeaf, 1, int.MaxValue, nameof(MinSamplesLeaf));
        if (MaxFeatures is { } fraction && !(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentException($"MaxFeatures is {fraction}; it must be in (0, 1], or null for the default (√ features for classification, all for regression).", nameof(MaxFeatures));
        }
        if (!(MaxSamples > 0 && MaxSamples <= 1))
        {
            throw new ArgumentException($"MaxSamples is {MaxSamples}; it must be in (0, 1].", nameof(MaxSamples));
        }
        CheckRange(MinCategoryRows, 0, int.MaxValue, nameof(MinCategoryRows));
        CheckRange(MaxBins, 4, 256, nameof(MaxBins));
        CheckRange(BinSampleSize, 1000, int.MaxValue, nameof(BinSampleSize));
    }

    /// <summary>Features tried per split out of <paramref name="featureCount"/>.</summary>
    internal int FeaturesPerSplit(int featureCount) => MaxFeatures is { } fraction
        ? Math.Clamp((int)Math.Round(featureCount * fraction), 1, featureCount)
        : Task == TaskKind.Regression ? featureCount : Math.Max(1, (int)Math.Sqrt(featureCount));
}
