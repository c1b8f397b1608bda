namespace Kiln.Learn.Gbdt;

/// <summary>Options of the gradient-boosted trees learner (<see cref="GbdtLearner"/>). Defaults follow XGBoost's hist method.</summary>
public sealed record GbdtOptions : LearnerOptions
{
    /// <summary>Boosting rounds (one tree per round, or one per class for multiclass). Range 1-100,000; default 100.</summary>
    public int Rounds { get; init; } = 100;

    /// <summary>Shrinkage applied to every leaf (eta). Range (0, 1]; default 0.1.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Most levels below the root; 0 = unlimited (use with <see cref="MaxLeaves"/>). Range 0-64; default 6.</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Most leaves per tree; 0 = unlimited. When set, nodes grow best-first (leaf-wise, LightGBM-style);
    /// otherwise every node is split down to <see cref="MaxDepth"/> (depth-wise). Range 0 or 2-131,072; default 0.</summary>
    public int MaxLeaves { get; init; }

    /// <summary>Least hessian sum in a child (min_child_weight). Range ≥ 0; default 1.</summary>
    public double MinChildWeight { get; init; } = 1;

    /// <summary>Least rows in a leaf (estimated from hessians for classification, as LightGBM does). Range ≥ 1; default 1.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>L2 penalty on leaf values (lambda). Range ≥ 0; default 1.</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>L1 penalty on leaf values (alpha). Range ≥ 0; default 0.</summary>
    public double Alpha { get; init; }

    /// <summary>Least loss reduction to make a split (gamma, min_split_gain). Range ≥ 0; default 0.</summary>
    public double MinSplitGain { get; init; }

    /// <summary>Fraction of rows sampled (without replacement) for each round. Range (0, 1]; default 1.</summary>
    public double Subsample { get; init; } = 1;

    /// <summary>Fraction of features sampled for each tree (colsample_bytree). Range (0, 1]; default 1.</summary>
    public double ColumnSample { get; init; } = 1;

    /// <summary>Most bins per feature, the missing-value bin included. Range 4-256; default 256.</summary>
    public int MaxBins { get; init; } = 256;

    /// <summary>Rows sampled to choose numeric bin boundaries. Range ≥ 1,000; default 200,000.</summary>
    public int BinSampleSize { get; init; } = 200_000;

    /// <summary>The regression loss (ignored for classification, which uses log loss). Default squared error.</summary>
    public RegressionLoss Loss { get; init; } = RegressionLoss.SquaredError;

    /// <summary>Huber's delta: residuals beyond it count linearly. Range &gt; 0; default 1.</summary>
    public double HuberDelta { get; init; } = 1;

    /// <summary>Stop when the validation loss has not improved for this many rounds, keeping the best round's trees;
    /// 0 = off. Needs a validation table. Range ≥ 0; default 0.</summary>
    public int EarlyStoppingRounds { get; init; }

    /// <inheritdoc />
    public override string? OptionNeedingValidation => EarlyStoppingRounds > 0 ? nameof(EarlyStoppingRounds) : null;

    /// <summary>Added to a category's hessian when ordering categories for a categorical split. Range ≥ 0; default 10.</summary>
    public double CategoricalSmoothing { get; init; } = 10;

    /// <summary>Most categories on the smaller side of a categorical split. Range 1-255; default 32.</summary>
    public int MaxCategoricalThreshold { get; init; } = 32;

    /// <summary>Monotone constraints: <c>FEATURE:+1</c> (the score only rises with the feature) or <c>FEATURE:-1</c> (only
    /// falls), comma-separated, e.g. <c>debt_to_income:-1,income:+1</c>; numeric features only. Empty = none.</summary>
    public string Monotone { get; init; } = "";

    /// <summary>Interaction constraints: groups of features allowed to interact, e.g. <c>[[income,debt],[age,region]]</c>;
    /// a branch splits only on features of one group, a feature in no group only with itself. Empty = none.</summary>
    public string Interactions { get; init; } = "";

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        CheckRange(Rounds, 1, 100_000, nameof(Rounds));
        CheckRange(LearningRate, double.Epsilon, 1, nameof(LearningRate));
        CheckRange(MaxDepth, 0, 64, nameof(MaxDepth));
        if (MaxLeaves != 0)
        {
            CheckRange(MaxLeaves, 2, 131_072, nameof(MaxLeaves));
        }
        CheckRange(MinChildWeight, 0, double.MaxValue, nameof(MinChildWeight));
        CheckRange(MinSamplesLeaf, 1, int.MaxValue, nameof(MinSamplesLeaf));
        CheckRange(Lambda, 0, double.MaxValue, nameof(Lambda));
        CheckRange(Alpha, 0, double.MaxValue, nameof(Alpha));
        CheckRange(MinSplitGain, 0, double.MaxValue, nameof(MinSplitGain));
        CheckRange(Subsample, double.Epsilon, 1, nameof(Subsample));
        CheckRange(ColumnSample, double.Epsilon, 1, nameof(ColumnSample));
        CheckRange(MaxBins, 4, 256, nameof(MaxBins));
        CheckRange(BinSampleSize, 1_000, int.MaxValue, nameof(BinSampleSize));
        if (!Enum.IsDefined(Loss))
        {
            throw new ArgumentException($"Loss is {(int)Loss}, which is not a RegressionLoss.", nameof(Loss));
        }
        CheckRange(HuberDelta, double.Epsilon, double.MaxValue, nameof(HuberDelta));
        CheckRange(EarlyStoppingRounds, 0, int.MaxValue, nameof(EarlyStoppingRounds));
        CheckRange(CategoricalSmoothing, 0, double.MaxValue, nameof(CategoricalSmoothing));
        CheckRange(MaxCategoricalThreshold, 1, 255, nameof(MaxCategoricalThreshold));
        if (MaxDepth == 0 && MaxLeaves == 0)
        {
            throw new ArgumentException("MaxDepth and MaxLeaves are both 0 (unlimited); limit at least one.", nameof(MaxDepth));
        }
    }
}
