namespace Kiln.Learn;

/// <summary>One training iteration (a boosting round, a tree, an optimiser step), reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Iteration">The 1-based iteration just finished.</param>
/// <param name="TotalIterations">The most iterations the fit can run (it may stop earlier: early stopping, convergence).</param>
/// <param name="TrainLoss">The training loss after this iteration (NaN when the learner does not compute it).</param>
/// <param name="ValidationLoss">The validation loss, or null without a validation table.</param>
public sealed record TrainingProgress(int Iteration, int TotalIterations, double TrainLoss, double? ValidationLoss);
