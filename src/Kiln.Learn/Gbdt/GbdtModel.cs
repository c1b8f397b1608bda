using Kiln.Learn.Data;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Gbdt;

/// <summary>A gradient-boosted trees model (see <see cref="GbdtLearner"/>).</summary>
public sealed class GbdtModel : TreeModel
{
    internal const string Learner = "gbdt";

    internal GbdtModel(ModelSchema schema, TreeEnsemble ensemble, IReadOnlyList<FeatureImportance> importance)
        : base(schema, ensemble, importance)
    {
    }

    /// <inheritdoc />
    public override string LearnerName => Learner;

    /// <summary>Keeps the outputs the fit computed for its training rows (see <see cref="TrainedModel.TakeTrainingOutputs"/>).</summary>
    internal GbdtModel WithTrainingOutputs(double[]? outputs)
    {
        if (outputs is not null)
        {
            KeepTrainingOutputs(outputs);
        }
        return this;
    }

    internal static GbdtModel Read(BinaryReader reader, ModelSchema schema, IReadOnlyDictionary<string, string> properties)
    {
        var (ensemble, importance) = ReadPayload(reader, schema);
        return new GbdtModel(schema, ensemble, importance) { Properties = properties };
    }
}
