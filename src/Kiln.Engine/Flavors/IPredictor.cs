using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Engine.Flavors;

/// <summary>
/// A loaded model of any flavor, as serving, batch scoring and evaluation use it. Every flavor follows Kiln's output
/// convention: per row, the probability of <c>Classes[1]</c> (binary), one probability per class (multiclass) or the
/// predicted value (regression), row-major, <see cref="ModelSchema.OutputCount"/> values per row.
/// </summary>
public interface IPredictor : IDisposable
{
    /// <summary>The flavor it was loaded as (<c>kiln</c>, <c>xgboost</c>, <c>lightgbm</c>, <c>onnx</c>, <c>mlnet</c>).</summary>
    string Flavor { get; }

    /// <summary>The task, target, features (the columns a request must carry) and classes.</summary>
    ModelSchema Schema { get; }

    /// <summary>Whether merging concurrent requests into one call pays off (runtimes with a per-call cost such as ONNX
    /// Runtime and ML.NET); Kiln's compiled trees predict a row in microseconds and gain nothing.</summary>
    bool GainsFromBatching { get; }

    /// <summary>Predicts every row of <paramref name="table"/>; feature columns are found by name.</summary>
    /// <exception cref="Kiln.Learn.LearnException">A feature column is missing or of the wrong kind; the message names it.</exception>
    double[] Predict(Table table, CancellationToken ct = default);

    /// <summary>As <see cref="Predict(Table, CancellationToken)"/> on at most <paramref name="maxThreads"/> threads (1: the
    /// calling thread alone, which a server busy with other requests wants); flavors that do not split a call ignore it.</summary>
    double[] Predict(Table table, int maxThreads, CancellationToken ct = default) => Predict(table, ct);
}
