using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Learn.Linear;

/// <summary>Logistic regression, binary or multinomial (softmax), with an L2 penalty (see <see cref="LogisticOptions"/>),
/// minimised with L-BFGS. The loss and gradient are one vectorised pass over the encoded rows, parallel over row blocks.</summary>
/// <remarks>Progress is reported once per L-BFGS iteration with the penalised training objective and the validation log
/// loss. The model's properties hold <c>iterations</c>, <c>converged</c>, <c>gradient_norm</c> (largest gradient
/// component) and <c>final_loss</c>. Results do not depend on <see cref="LearnerOptions.Threads"/>.</remarks>
public sealed class LogisticLearner : ILearner<LogisticOptions>
{
    /// <summary>The learner's name; its models are written as <see cref="LinearModel"/>s (learner "linear").</summary>
    public string Name => "logistic";

    /// <inheritdoc />
    TrainedModel ILearner<LogisticOptions>.Fit(Table train, string target, LogisticOptions options, Table? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        Fit(train, target, options, validation, progress, cancellationToken);

    /// <summary>Fits a logistic model; see <see cref="ILearner{TOptions}.Fit"/>.</summary>
    public LinearModel Fit(Table train, string target, LogisticOptions options, Table? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var threads = options.ResolvedThreads;
        var data = TrainingData.Create(train, target, options.Task, options);
        var schema = data.Schema;
        var outputs = schema.OutputCount;
        var encoding = FeatureEncoding.Fit(data.Features, schema, threads);
        var x = DesignMatrix.Create(data.Features, schema, encoding, threads, cancellationToken);
        var loss = new LogisticLoss(x, data.Target, outputs, options.Lambda, threads, data.Weights);
        LogisticLoss? validLoss = null;
        if (validation is not null)
        {
            var valid = data.Bind(validation);
            validLoss = new LogisticLoss(DesignMatrix.Create(valid.Features, schema, encoding, threads, cancellationToken), valid.Target, outputs, 0, threads);
        }
        var w = new double[loss.ParameterCount];
        InitialIntercepts(data.Target, schema, w.AsSpan(outputs * loss.OutputWidth));
        Action<int, double>? onIteration = progress is null ? null : (iteration, value) =>
            progress.Report(new TrainingProgress(iteration, options.MaxIterations, value, validLoss?.Evaluate(w, null, cancellationToken)));
        var result = Lbfgs.Minimize((p, g) => loss.Evaluate(p, g, cancellationToken), w, options.History, options.MaxIterations,
            options.Tolerance, onIteration, cancellationToken);
        var weights = new double[outputs * encoding.Width];
        for (var k = 0; k < outputs; k++)
        {
            var from = k * loss.OutputWidth;
            var to = k * encoding.Width;
            w.AsSpan(from, encoding.Numeric.Length).CopyTo(weights.AsSpan(to));
            w.AsSpan(from + encoding.Stride, encoding.OneHotCount).CopyTo(weights.AsSpan(to + encoding.Numeric.Length));
        }
        var intercepts = w.AsSpan(outputs * loss.OutputWidth).ToArray();
        return new LinearModel(schema, encoding, weights, intercepts) { Properties = ConvergenceProperties.Create(result) };
    }

    /// <summary>Starts from the class frequencies (log-odds, or log priors for softmax), the optimum without features.</summary>
    private static void InitialIntercepts(double[] y, ModelSchema schema, Span<double> intercepts)
    {
        var counts = new double[schema.Classes.Count];
        foreach (var c in y)
        {
            counts[(int)c]++;
        }
        for (var k = 0; k < counts.Length; k++)
        {
            counts[k] = Math.Max(counts[k], 0.5) / y.Length;
        }
        if (schema.Task == TaskKind.BinaryClassification)
        {
            intercepts[0] = Math.Log(counts[1] / counts[0]);
            return;
        }
        for (var k = 0; k < counts.Length; k++)
        {
            intercepts[k] = Math.Log(counts[k]);
        }
    }
}
