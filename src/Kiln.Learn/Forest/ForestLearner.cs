using Kiln.Learn.Data;
using Kiln.Learn.Trees;
using Kiln.Tabular;

namespace Kiln.Learn.Forest;

/// <summary>Random forest (Breiman): each tree grown deep on a bootstrap sample of the rows, a random subset of the
/// features tried at each split, predictions averaged. Trees are histogram trees (the GBDT's binning, native categorical
/// splits, learned missing-value directions) grown on squared error, which for 0/1 targets is the Gini criterion.</summary>
/// <remarks>Classification averages the trees' leaf class frequencies. Binary forests grow one tree per iteration on the
/// second class's indicator; a multiclass forest grows one tree per iteration whose splits maximise the summed gain of
/// all the class indicators (the Gini decrease, as scikit-learn's trees), stored as one tree per class with the same
/// splits and that class's frequency in each leaf, so the averaged votes sum to one. Trees are grown in parallel; each tree's randomness
/// comes from <see cref="LearnerOptions.Seed"/> and its index, so the model does not depend on
/// <see cref="LearnerOptions.Threads"/>. Progress is reported once per tree, with the out-of-bag loss so far (log loss
/// or mean squared error over the rows that have out-of-bag votes) as the training loss.</remarks>
public sealed class ForestLearner : ILearner<ForestOptions>
{
    /// <inheritdoc />
    public string Name => ForestModel.Learner;

    /// <inheritdoc />
    TrainedModel ILearner<ForestOptions>.Fit(Table train, string target, ForestOptions options, Table? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        Fit(train, target, options, validation, progress, cancellationToken);

    /// <summary>Fits a forest; see <see cref="ILearner{TOptions}.Fit"/>. The out-of-bag score is in
    /// <see cref="ForestModel.OutOfBagScore"/> and <c>Properties["oob_score"]</c>.</summary>
    public ForestModel Fit(Table train, string target, ForestOptions options, Table? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var threads = options.ResolvedThreads;
        var data = TrainingData.Create(train, target, options.Task, options);
        var bins = BinnedMatrix.ChooseBins(data.Features, data.Schema, options.MaxBins, options.BinSampleSize, threads);
        var matrix = BinnedMatrix.Create(data.Features, bins, threads, cancellationToken);
        var valid = validation is null ? null : data.Bind(validation);
        var validMatrix = valid is null ? null : BinnedMatrix.Create(valid.Features, bins, threads, cancellationToken);
        var run = new ForestRun(options, data.Schema, bins, matrix, data.Target, threads, data.Weights);
        return run.Train(validMatrix, valid?.Target, progress, cancellationToken);
    }
}
