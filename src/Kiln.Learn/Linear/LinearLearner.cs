using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Learn.Linear;

/// <summary>Linear regression with an optional ridge, lasso or elastic-net penalty (see <see cref="LinearOptions"/>),
/// fitted by coordinate descent on the Gram matrix of the encoded features (one pass over the rows, then sweeps that
/// cost O(width²)).</summary>
/// <remarks>Progress is reported once per sweep with the objective as the training loss and the validation mean squared
/// error. The model's properties hold <c>iterations</c>, <c>converged</c>, <c>gradient_norm</c> (largest component of the
/// minimum-norm subgradient) and <c>final_loss</c>. Results do not depend on <see cref="LearnerOptions.Threads"/>.</remarks>
public sealed class LinearLearner : ILearner<LinearOptions>
{
    /// <inheritdoc />
    public string Name => LinearModel.Learner;

    /// <inheritdoc />
    TrainedModel ILearner<LinearOptions>.Fit(Table train, string target, LinearOptions options, Table? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        Fit(train, target, options, validation, progress, cancellationToken);

    /// <summary>Fits a linear model; see <see cref="ILearner{TOptions}.Fit"/>.</summary>
    public LinearModel Fit(Table train, string target, LinearOptions options, Table? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var threads = options.ResolvedThreads;
        var data = TrainingData.Create(train, target, options.Task, options);
        var encoding = FeatureEncoding.Fit(data.Features, data.Schema, threads);
        var stats = GramStats.Compute(DesignMatrix.Create(data.Features, data.Schema, encoding, threads, cancellationToken), data.Target, threads, cancellationToken, data.Weights);
        GramStats? validStats = null;
        if (validation is not null)
        {
            var valid = data.Bind(validation);
            validStats = GramStats.Compute(DesignMatrix.Create(valid.Features, data.Schema, encoding, threads, cancellationToken), valid.Target, threads, cancellationToken);
        }
        Action<int, double[], double>? onSweep = progress is null ? null : (sweep, w, b) =>
            progress.Report(new TrainingProgress(sweep, options.MaxIterations, ElasticNet.Objective(stats, w, b, options),
                validStats?.MeanSquaredError(w, b)));
        var (weights, intercept, result) = ElasticNet.Fit(stats, options, onSweep, cancellationToken);
        return new LinearModel(data.Schema, encoding, weights, [intercept]) { Properties = ConvergenceProperties.Create(result) };
    }
}
