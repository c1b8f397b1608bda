using Kiln.Learn.Data;
using Kiln.Learn.Model;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Forest;

/// <summary>A random forest model : the average of its trees.</summary>
public sealed class ForestModel : TreeModel
{
    internal const string Learner = "forest";

    internal ForestModel(ModelSchema schema, TreeEnsemble ensemble, IReadOnlyList<FeatureImportance> importance)
        : base(schema, ensemble, importance)
    {
    }

    /// <inheritdoc />
    public override string LearnerName => Learner;

    /// <summary>The out-of-bag score: accuracy (classification) or R² (regression) of each row predicted by the trees
    /// that did not see it; NaN when no row was out of bag.</summary>
    public double OutOfBagScore { get; init; } = double.NaN;

    internal static ForestModel Read(BinaryReader reader, ModelSchema schema, IReadOnlyDictionary<string, string> properties)
    {
        var (ensemble, importance) = ReadPayload(reader, schema);
        var oob = properties.TryGetValue("oob_score", out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        return new ForestModel(schema, ensemble, importance) { Properties = properties, OutOfBagScore = oob };
    }
}
