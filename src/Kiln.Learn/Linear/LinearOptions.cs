namespace Kiln.Learn.Linear;

/// <summary>Options of linear regression (<see cref="LinearLearner"/>): least squares with an elastic-net penalty,
/// scikit-learn's ElasticNet objective 1/(2n)·‖y − Xw − b‖² + Alpha·L1Ratio·‖w‖₁ + Alpha·(1 − L1Ratio)/2·‖w‖², on
/// standardised features (the intercept is not penalised).</summary>
public sealed record LinearOptions : LearnerOptions
{
    /// <summary>Creates options for regression (the only task this learner fits).</summary>
    public LinearOptions()
    {
        Task = TaskKind.Regression;
    }

    /// <summary>Penalty strength; 0 = ordinary least squares. Range ≥ 0; default 0.</summary>
    public double Alpha { get; init; }

    /// <summary>Share of the penalty that is L1: 0 = ridge, 1 = lasso, between = elastic net. Range [0, 1]; default 0.</summary>
    public double L1Ratio { get; init; }

    /// <summary>Most coordinate-descent sweeps over the coefficients. Range 1-1,000,000; default 10,000.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Converged when a sweep changes no coefficient by more than Tolerance × the largest coefficient.
    /// Range &gt; 0; default 1e-7.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Task != TaskKind.Regression)
        {
            throw new ArgumentException($"Task is {Task}; LinearLearner fits regression only (use LogisticLearner for classification).", nameof(Task));
        }
        CheckRange(Alpha, 0, double.MaxValue, nameof(Alpha));
        CheckRange(L1Ratio, 0, 1, nameof(L1Ratio));
        CheckRange(MaxIterations, 1, 1_000_000, nameof(MaxIterations));
        CheckRange(Tolerance, double.Epsilon, 1, nameof(Tolerance));
    }
}
