using Kiln.Learn.Data;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Model;

/// <summary>A split of an imported tree: a row goes left when its value is ≤ <paramref name="Threshold"/>, or when the
/// value is missing (NaN) and <paramref name="DefaultLeft"/> is set.</summary>
/// <param name="Feature">The feature's position in the schema.</param>
/// <param name="Threshold">Values at or below it go left.</param>
/// <param name="DefaultLeft">Where a missing value goes.</param>
/// <param name="Left">The left child: a node index, or a leaf as ~index into the tree's leaves.</param>
/// <param name="Right">The right child, likewise.</param>
public readonly record struct ImportedSplit(int Feature, double Threshold, bool DefaultLeft, int Left, int Right)
{
    /// <summary>The training weight that reached the split (XGBoost's <c>sum_hessian</c>, LightGBM's
    /// <c>internal_count</c>); NaN when the file does not say. TreeSHAP needs it.</summary>
    public double Cover { get; init; } = double.NaN;
}

/// <summary>One tree of a model trained elsewhere (XGBoost, LightGBM), with its nodes numbered from its root (node 0).</summary>
/// <param name="Splits">The splits; empty for a tree that is a single leaf.</param>
/// <param name="Leaves">The leaf values.</param>
/// <param name="Output">The output (class) the tree adds to.</param>
public sealed record ImportedTree(IReadOnlyList<ImportedSplit> Splits, IReadOnlyList<double> Leaves, int Output)
{
    /// <summary>Each leaf's training weight, parallel to <see cref="Leaves"/>; null when the file does not say.</summary>
    public IReadOnlyList<double>? LeafCovers { get; init; }
}

/// <summary>How an imported ensemble's summed scores become predictions.</summary>
public enum ImportedLink
{
    /// <summary>The score is the prediction (regression).</summary>
    Identity,

    /// <summary>One score, the log-odds of the second class (binary classification).</summary>
    Sigmoid,

    /// <summary>One score per class, normalised with softmax (multiclass).</summary>
    Softmax,
}

/// <summary>
/// Compiles trees trained by another library into Kiln's tree predictor (the same flat, complete and byte-rank layouts
/// Kiln's own models predict with), so an imported model scores at Kiln's speed and can be saved as a Kiln model file.
/// </summary>
public static class ImportedTrees
{
    /// <summary>Builds the model: prediction = link(base score + <paramref name="scale"/> × Σ leaf values) per output.</summary>
    /// <param name="schema">The features (numeric), task and classes.</param>
    /// <param name="trees">The trees, each naming its output.</param>
    /// <param name="baseScores">One base score (margin) per output.</param>
    /// <param name="link">The output link.</param>
    /// <param name="scale">The factor on the summed leaves (1 for boosting; 1/trees for averaged forests).</param>
    /// <param name="properties">Facts kept with the model (e.g. <c>imported_from</c>).</param>
    /// <exception cref="LearnException">A tree refers to a feature, child or output that does not exist.</exception>
    public static TrainedModel Build(ModelSchema schema, IReadOnlyList<ImportedTree> trees, IReadOnlyList<double> baseScores,
        ImportedLink link, double scale, IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(trees);
        if (baseScores.Count != schema.OutputCount)
        {
            throw new LearnException($"The model has {baseScores.Count} base score(s) but its task needs {schema.OutputCount}.");
        }
        if (schema.Features.Any(f => f.Kind != FeatureKind.Numeric))
        {
            throw new LearnException("Imported trees split numeric features only.");
        }
        var nodes = new List<FlatNode>();
        var leaves = new List<double>();
        var roots = new int[trees.Count];
        var outputs = new int[trees.Count];
        var splits = new int[schema.Features.Count];
        var nodeCovers = new List<double>();
        var leafCovers = new List<double>();
        var covered = true;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            if (tree.Output < 0 || tree.Output >= schema.OutputCount)
            {
                throw new LearnException($"Tree {t} adds to output {tree.Output}, but the model has {schema.OutputCount}.");
            }
            if (tree.Leaves.Count == 0)
            {
                throw new LearnException($"Tree {t} has no leaves.");
            }
            outputs[t] = tree.Output;
            var nodeBase = nodes.Count;
            var leafBase = leaves.Count;
            leaves.AddRange(tree.Leaves);
            covered &= tree.LeafCovers is { } lc && lc.Count == tree.Leaves.Count;
            if (covered)
            {
                leafCovers.AddRange(tree.LeafCovers!);
            }
            if (tree.Splits.Count == 0)
            {
                roots[t] = ~leafBase;
                continue;
            }
            roots[t] = nodeBase;
            foreach (var split in tree.Splits)
            {
                if (split.Feature < 0 || split.Feature >= schema.Features.Count)
                {
                    throw new LearnException($"Tree {t} splits on feature {split.Feature}, but the model has {schema.Features.Count} features.");
                }
                splits[split.Feature]++;
                covered &= !double.IsNaN(split.Cover);
                nodeCovers.Add(split.Cover);
                nodes.Add(new FlatNode
                {
                    Feature = split.Feature,
                    Threshold = split.Threshold,
                    Info = split.DefaultLeft ? FlatNode.DefaultLeftFlag : 0,
                    Left = Shift(split.Left),
                    Right = Shift(split.Right),
                });
            }

            int Shift(int child)
            {
                if (child < 0 ? ~child >= tree.Leaves.Count : child >= tree.Splits.Count)
                {
                    throw new LearnException($"Tree {t} refers to a {(child < 0 ? "leaf" : "node")} it does not have ({(child < 0 ? ~child : child)}).");
                }
                return child < 0 ? ~(leafBase + ~child) : nodeBase + child;
            }
        }
        var transform = link switch
        {
            ImportedLink.Sigmoid => OutputTransform.Sigmoid,
            ImportedLink.Softmax => OutputTransform.Softmax,
            _ => OutputTransform.Identity,
        };
        var ensemble = new TreeEnsemble([.. nodes], [.. leaves], [], roots, outputs, [.. baseScores], transform, scale)
        {
            Covers = covered ? new TreeCovers([.. nodeCovers], [.. leafCovers]) : null,
        };
        var importance = schema.Features.Select((f, i) => new FeatureImportance(f.Name, 0, splits[i])).ToArray();
        return new GbdtModel(schema, ensemble, importance) { Properties = properties };
    }
}
