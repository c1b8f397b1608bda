namespace Kiln.Learn;

/// <summary>Options every learner has. Learner-specific options derive from this record.</summary>
public abstract record LearnerOptions
{
    /// <summary>What to predict. Default <see cref="TaskKind.BinaryClassification"/>.</summary>
    public TaskKind Task { get; init; } = TaskKind.BinaryClassification;

    /// <summary>Seed for every random choice (sampling, initialisation); the same seed, data and <see cref="Threads"/>
    /// give the same model (tree models — gbdt and forest — the same model whatever <see cref="Threads"/>: their sums are
    /// exact). Any value; default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Threads to use: -1 (default) one per processor, or 1 and up.</summary>
    public int Threads { get; init; } = -1;

    /// <summary>A numeric column of per-row weights (≥ 0), not a feature: each row counts that many times in the fit (and,
    /// through kiln train, in the metrics). Empty = every row weighs 1.</summary>
    public string WeightColumn { get; init; } = "";

    /// <summary>Classification: <c>balanced</c> (each class weighs rows / (classes × its rows), as scikit-learn) or
    /// <c>CLASS:WEIGHT,…</c> (unnamed classes weigh 1); multiplies the row weights. Empty = none.</summary>
    public string ClassWeight { get; init; } = "";

    /// <summary>Binary classification: the positive class's rows weigh this much more (XGBoost's <c>scale_pos_weight</c>,
    /// e.g. negatives / positives for an imbalanced target). Default 1.</summary>
    public double ScalePosWeight { get; init; } = 1;

    /// <summary>The name of a set option that only works with a validation table (early stopping, say), or null when
    /// none is set: callers can refuse the combination before any work starts.</summary>
    public virtual string? OptionNeedingValidation => null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option outside its valid range.</summary>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(Task))
        {
            throw new ArgumentException($"Task is {(int)Task}, which is not a TaskKind.", nameof(Task));
        }
        if (Threads is 0 or < -1)
        {
            throw new ArgumentException($"Threads is {Threads}; use -1 (one per processor) or 1 and up.", nameof(Threads));
        }
        CheckRange(ScalePosWeight, double.Epsilon, double.MaxValue, nameof(ScalePosWeight));
        if (ScalePosWeight != 1 && Task != TaskKind.BinaryClassification)
        {
            throw new ArgumentException($"ScalePosWeight weighs a binary target's positive class; this task is {Task}.", nameof(ScalePosWeight));
        }
        if (ClassWeight.Length > 0 && Task == TaskKind.Regression)
        {
            throw new ArgumentException("ClassWeight weighs classes; a regression has none (use WeightColumn).", nameof(ClassWeight));
        }
    }

    /// <summary>The thread count to use, resolving -1 to the processor count.</summary>
    internal int ResolvedThreads => Threads == -1 ? Environment.ProcessorCount : Threads;

    /// <summary>Throws unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>.</summary>
    protected static void CheckRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentException($"{name} is {value}; it must be between {min} and {max}.", name);
        }
    }

    /// <summary>Throws unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>.</summary>
    protected static void CheckRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{name} is {value}; it must be between {min} and {max}.", name);
        }
    }
}
