using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;

namespace Kiln.Engine.Flavors;

/// <summary>A Kiln model (trained by Kiln, or XGBoost/LightGBM trees compiled into Kiln's tree predictor).</summary>
/// <param name="model">The compiled model.</param>
/// <param name="flavor">The flavor it came from.</param>
public sealed class KilnPredictor(TrainedModel model, string flavor = KilnFlavor.FlavorName) : IPredictor
{
    /// <summary>The compiled model.</summary>
    public TrainedModel Model { get; } = model;

    /// <inheritdoc />
    public string Flavor { get; } = flavor;

    /// <inheritdoc />
    public ModelSchema Schema => Model.Schema;

    /// <inheritdoc />
    public bool GainsFromBatching => false;

    /// <inheritdoc />
    public double[] Predict(Table table, CancellationToken ct = default) => Model.Predict(table, ct);

    /// <inheritdoc />
    public double[] Predict(Table table, int maxThreads, CancellationToken ct = default) => Model.Predict(table, maxThreads, ct);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
