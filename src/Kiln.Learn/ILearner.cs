using Kiln.Tabular;

namespace Kiln.Learn;

/// <summary>A learning algorithm: fits a <see cref="TrainedModel"/> to a table.</summary>
/// <typeparam name="TOptions">The learner's options record.</typeparam>
public interface ILearner<in TOptions>
    where TOptions : LearnerOptions
{
    /// <summary>The learner's name as written in model files (e.g. "gbdt").</summary>
    string Name { get; }

    /// <summary>Fits a model predicting column <paramref name="target"/> of <paramref name="train"/> from all its other columns.</summary>
    /// <param name="train">Training rows: numeric and categorical feature columns plus the target.</param>
    /// <param name="target">The target column's name.</param>
    /// <param name="options">The learner's options; validated first.</param>
    /// <param name="validation">Optional validation rows with the same columns (loss per iteration, early stopping).</param>
    /// <param name="progress">Receives one report per iteration.</param>
    /// <param name="cancellationToken">Stops the fit between iterations with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="LearnException">The data cannot be learned from; the message names the column.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    TrainedModel Fit(Table train, string target, TOptions options, Table? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);
}
