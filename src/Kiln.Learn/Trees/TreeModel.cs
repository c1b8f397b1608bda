using Kiln.Learn.Data;
using Kiln.Learn.Explanations;
using Kiln.Learn.Model;

namespace Kiln.Learn.Trees;

/// <summary>A model made of trees (boosted or a forest), predicting with a compiled <see cref="TreeEnsemble"/>.</summary>
public abstract class TreeModel : TrainedModel
{
    private protected TreeModel(ModelSchema schema, TreeEnsemble ensemble, IReadOnlyList<FeatureImportance> importance)
        : base(schema)
    {
        Ensemble = ensemble;
        Importance = importance;
        _explainer = new Lazy<TreeExplainer>(() => new TreeExplainer(Ensemble, Ensemble.Covers ?? throw new LearnException(ExplainUnavailable!), Schema.Features.Count));
    }

    internal TreeEnsemble Ensemble { get; }

    /// <summary>The number of trees.</summary>
    public int TreeCount => Ensemble.TreeCount;

    /// <summary>Gain and split count of every feature, in feature order.</summary>
    public IReadOnlyList<FeatureImportance> Importance { get; }

    private protected override void PredictRow(ReadOnlySpan<double> row, Span<double> output) => Ensemble.Predict(row, output);

    private readonly Lazy<TreeExplainer> _explainer;

    /// <inheritdoc />
    public override string? ExplainUnavailable => Ensemble.Covers is null
        ? "This tree model's file does not keep node covers, which TreeSHAP weighs branches by (it was saved by an older Kiln, "
            + "or imported from a file without sum_hessian / internal_count): retrain it, or register the original XGBoost or LightGBM file again."
        : null;

    /// <summary>The TreeSHAP explainer: its tables are built on first use, once, however many threads ask at the same time
    /// (about a second for 200 depth-6 trees).</summary>
    internal TreeExplainer Explainer => _explainer.Value;

    private protected override void ExplainRows(ReadOnlySpan<double> rows, int count, Span<double> contributions)
    {
        if (count == 1)
        {
            Explainer.Explain(rows, contributions);
        }
        else
        {
            Explainer.Explain(rows, count, contributions);
        }
    }

    /// <summary>Deep trees (walked node by node) predict in larger blocks: a tree's upper levels, which every row passes
    /// through, are then fetched once for more rows. The byte-rank layout and complete trees keep a block in L1.</summary>
    private protected override int PredictionBlockRows => Ensemble.Ranked is not null || Ensemble.Complete.Depth.All(d => d >= 0) ? 128 : 1024;

    internal override void PredictBlock(double[] columns, int stride, int count, Span<double> output) =>
        Ensemble.PredictBlock(columns, stride, count, output);

    private protected override bool PredictRows(FeatureView view, int start, int count, double[] buffer, int stride, Span<double> output) =>
        Ensemble.PredictRows(view, start, count, buffer, stride, output);

    private protected override void WritePayload(BinaryWriter writer)
    {
        Ensemble.Write(writer);
        writer.Write(Importance.Count);
        foreach (var item in Importance)
        {
            writer.Write(item.Gain);
            writer.Write(item.Splits);
        }
    }

    private protected static (TreeEnsemble Ensemble, FeatureImportance[] Importance) ReadPayload(BinaryReader reader, ModelSchema schema)
    {
        var ensemble = TreeEnsemble.Read(reader, schema.Features.Count);
        var count = ModelFile.ReadCount(reader);
        if (count != schema.Features.Count || ensemble.OutputCount != schema.OutputCount)
        {
            throw new LearnException("The model file is corrupt: the trees do not match the feature schema.");
        }
        var importance = new FeatureImportance[count];
        for (var i = 0; i < count; i++)
        {
            importance[i] = new FeatureImportance(schema.Features[i].Name, reader.ReadDouble(), reader.ReadInt32());
        }
        return (ensemble, importance);
    }

    internal static FeatureImportance[] Importances(ModelSchema schema, IEnumerable<GrownTree> trees)
    {
        var gain = new double[schema.Features.Count];
        var splits = new int[gain.Length];
        foreach (var tree in trees)
        {
            foreach (var node in tree.Nodes)
            {
                gain[node.Feature] += node.Gain;
                splits[node.Feature]++;
            }
        }
        return [.. schema.Features.Select((f, i) => new FeatureImportance(f.Name, gain[i], splits[i]))];
    }
}
