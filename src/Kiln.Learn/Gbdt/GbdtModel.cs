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

    internal static GbdtModel Read(BinaryReader reader, ModelSchema schema, IReadOnlyDictionary<string, string> properties)
    {
        var (ensemble, importance) = ReadPayload(reader, schema);
        return new GbdtModel(schema, ensemble, importance) { Properties = properties };
    }
}
