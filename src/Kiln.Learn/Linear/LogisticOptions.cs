namespace Kiln.Learn.Linear;

/// <summary>Options of logistic regression (<see cref="LogisticLearner"/>): binary or multinomial (softmax) log loss
/// with an L2 penalty, mean log loss + Lambda/2·‖w‖² on standardised features (the intercepts are not penalised),
/// minimised with L-BFGS. scikit-learn's C corresponds to Lambda = 1 / (C · rows).</summary>
public sealed record LogisticOptions : LearnerOptions
{
    /// <summary>L2 penalty strength. Range ≥ 0; default 1e-4.</summary>
    public double Lambda { get; init; } = 1e-4;

    /// <summary>Most L-BFGS iterations. Range 1-100,000; default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Converged when the largest gradient component is at most this (or the objective stops decreasing,
    /// relative change below 1e-12). Range &gt; 0; default 1e-5.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Correction pairs L-BFGS keeps. Range 1-100; default 10.</summary>
    public int History { get; init; } = 10;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Task == TaskKind.Regression)
        {
            throw new ArgumentException("Task is Regression; LogisticLearner fits classification only (use LinearLearner for regression).", nameof(Task));
        }
        CheckRange(Lambda, 0, double.MaxValue, nameof(Lambda));
        CheckRange(MaxIterations, 1, 100_000, nameof(MaxIterations));
        CheckRange(Tolerance, double.Epsilon, 1, nameof(Tolerance));
        CheckRange(History, 1, 100, nameof(History));
    }
}
