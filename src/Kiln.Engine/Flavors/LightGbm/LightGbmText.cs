using System.Globalization;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Learn.Model;

namespace Kiln.Engine.Flavors.LightGbm;

/// <summary>
/// Compiles a model in LightGBM's text format (<c>save_model</c>, <c>model.txt</c>; MLflow's <c>lightgbm</c> flavor) into
/// Kiln's tree predictor. LightGBM sends a row left when <c>x ≤ threshold</c> — Kiln's own rule — and a missing value
/// to the node's default side (missing type NaN) or, as zero, by the threshold (missing type None), so predictions
/// equal LightGBM's. Numeric splits; binary, multiclass (softmax), regression and ranking objectives.
/// </summary>
public static class LightGbmText
{
    /// <summary>Compiles the model text.</summary>
    /// <exception cref="LearnException">Not a LightGBM text model, or one using a feature Kiln cannot serve.</exception>
    public static TrainedModel Compile(TextReader text, ModelHints hints)
    {
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var trees = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        var first = true;
        for (var line = text.ReadLine(); line is not null; line = text.ReadLine())
        {
            if (first)
            {
                if (line.Trim() != "tree")
                {
                    throw new LearnException("Not a LightGBM text model: it does not start with 'tree' (save it with booster.save_model(\"model.txt\")).");
                }
                first = false;
                continue;
            }
            if (line.StartsWith("end of trees", StringComparison.Ordinal))
            {
                break;
            }
            if (line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                trees.Add(current);
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                (current ?? header)[line[..equals]] = line[(equals + 1)..];
            }
        }
        if (first)
        {
            throw new LearnException("Not a LightGBM text model: the file is empty.");
        }
        var classCount = Int(header, "num_class", 1);
        var perIteration = Int(header, "num_tree_per_iteration", classCount);
        var featureCount = Int(header, "max_feature_idx", -1) + 1;
        var objective = header.GetValueOrDefault("objective") ?? "regression";
        var parts = objective.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sigmoid = parts.Skip(1).Select(p => p.Split(':')).Where(p => p.Length == 2 && p[0] == "sigmoid").Select(p => double.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(1.0);
        var (task, link, scale) = parts.Length == 0 ? (TaskKind.Regression, ImportedLink.Identity, 1.0) : parts[0] switch
        {
            "binary" => (TaskKind.BinaryClassification, ImportedLink.Sigmoid, sigmoid),
            "cross_entropy" or "xentropy" => (TaskKind.Regression, ImportedLink.Sigmoid, 1.0),
            "multiclass" or "softmax" => (TaskKind.MulticlassClassification, ImportedLink.Softmax, 1.0),
            "regression" or "regression_l2" or "l2" or "mean_squared_error" or "mse" or "regression_l1" or "l1" or "mean_absolute_error" or "mae" or "huber" or "fair"
                or "quantile" or "mape" or "lambdarank" or "rank_xendcg" => (TaskKind.Regression, ImportedLink.Identity, 1.0),
            _ => throw new LearnException($"LightGBM objective '{parts[0]}' needs an output link Kiln's tree predictor lacks (exp for poisson/gamma/tweedie, one-vs-all sigmoids for multiclassova): serve it as ONNX."),
        };
        if (task == TaskKind.MulticlassClassification && perIteration != classCount)
        {
            throw new LearnException($"This LightGBM model has {perIteration} trees per iteration for {classCount} classes; Kiln expects one tree per class.");
        }
        var outputs = task == TaskKind.MulticlassClassification ? classCount : 1;
        var imported = new List<ImportedTree>(trees.Count);
        for (var t = 0; t < trees.Count; t++)
        {
            imported.Add(Tree(trees[t], t, featureCount, t % Math.Max(1, perIteration)));
        }
        if (header.ContainsKey("average_output"))
        {
            scale /= Math.Max(1, trees.Count / Math.Max(1, perIteration)); // random-forest mode averages its trees
        }
        var names = hints.Features ?? header.GetValueOrDefault("feature_names")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            ?? [.. Enumerable.Range(0, featureCount).Select(i => "Column_" + i.ToString(CultureInfo.InvariantCulture))];
        if (names.Count != featureCount)
        {
            throw new LearnException($"{names.Count} feature name(s) for a LightGBM model that reads {featureCount} features.");
        }
        var classes = task switch
        {
            TaskKind.Regression => [],
            _ when hints.Classes is { } given => given.Count == Math.Max(2, outputs) ? given
                : throw new LearnException($"{given.Count} class label(s) were given but the model predicts {Math.Max(2, outputs)} classes."),
            _ => Enumerable.Range(0, Math.Max(2, outputs)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList(),
        };
        var schema = new ModelSchema(task, hints.Target ?? "label", [.. names.Select(n => new FeatureInfo(n, FeatureKind.Numeric, []))], classes);
        return ImportedTrees.Build(schema, imported, new double[outputs], link, scale,
            new Dictionary<string, string> { ["imported_from"] = "lightgbm " + (header.GetValueOrDefault("version") ?? "unknown"), ["objective"] = objective });
    }

    private static ImportedTree Tree(Dictionary<string, string> tree, int index, int featureCount, int output)
    {
        var leaves = Doubles(tree, "leaf_value", index);
        var numLeaves = Int(tree, "num_leaves", leaves.Length);
        if (Int(tree, "num_cat", 0) > 0)
        {
            throw new LearnException($"LightGBM tree {index} has categorical splits: Kiln compiles numeric splits only; encode the categories as numbers, or serve the model as ONNX.");
        }
        if (tree.GetValueOrDefault("is_linear") == "1")
        {
            throw new LearnException($"LightGBM tree {index} is a linear tree (linear_tree=true), which Kiln does not compile.");
        }
        var shrinkage = tree.TryGetValue("shrinkage", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 1.0;
        _ = shrinkage; // leaf values are saved already multiplied by the shrinkage
        if (numLeaves <= 1)
        {
            return new ImportedTree([], [leaves.Length > 0 ? leaves[0] : 0.0], output) { LeafCovers = [1.0] };
        }
        // the training rows that reached each node and leaf: TreeSHAP weighs branches by them (LightGBM's pred_contrib does)
        var internalCounts = tree.ContainsKey("internal_count") ? Doubles(tree, "internal_count", index) : null;
        var leafCounts = tree.ContainsKey("leaf_count") ? Doubles(tree, "leaf_count", index) : null;
        var counted = internalCounts?.Length == numLeaves - 1 && leafCounts?.Length == leaves.Length;
        var features = Ints(tree, "split_feature", index);
        var thresholds = Doubles(tree, "threshold", index);
        var decisions = Ints(tree, "decision_type", index);
        var left = Ints(tree, "left_child", index);
        var right = Ints(tree, "right_child", index);
        var splits = new ImportedSplit[numLeaves - 1];
        if (features.Length != splits.Length || thresholds.Length != splits.Length || decisions.Length != splits.Length || left.Length != splits.Length || right.Length != splits.Length)
        {
            throw new LearnException($"LightGBM tree {index} is corrupt: {numLeaves} leaves need {splits.Length} splits in every node list.");
        }
        for (var i = 0; i < splits.Length; i++)
        {
            var decision = decisions[i];
            if ((decision & 1) != 0)
            {
                throw new LearnException($"LightGBM tree {index} has a categorical split: Kiln compiles numeric splits only.");
            }
            if (features[i] < 0 || features[i] >= featureCount)
            {
                throw new LearnException($"LightGBM tree {index} splits on feature {features[i]}, but the model reads {featureCount}.");
            }
            var defaultLeft = (decision & 2) != 0;
            var missing = (decision >> 2) & 3; // 0 none, 1 zero, 2 NaN
            var threshold = thresholds[i];
            defaultLeft = missing switch
            {
                0 => 0.0 <= threshold, // a missing value is scored as zero
                2 => defaultLeft,
                _ => throw new LearnException($"LightGBM tree {index} treats zero as missing (zero_as_missing=true), which Kiln's predictor does not express; retrain without it."),
            };
            splits[i] = new ImportedSplit(features[i], threshold, defaultLeft, left[i], right[i])
            {
                Cover = counted ? internalCounts![i] : double.NaN,
            };
        }
        return new ImportedTree(splits, leaves, output) { LeafCovers = counted ? leafCounts : null };
    }

    private static int Int(Dictionary<string, string> values, string key, int fallback) =>
        values.TryGetValue(key, out var text) ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    private static double[] Doubles(Dictionary<string, string> tree, string key, int index) =>
        [.. Field(tree, key, index).Select(Number)];

    /// <summary>A number as LightGBM prints it: C's <c>%g</c>, with <c>inf</c>, <c>-inf</c> and <c>nan</c>.</summary>
    private static double Number(string text) => text switch
    {
        "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static int[] Ints(Dictionary<string, string> tree, string key, int index) =>
        [.. Field(tree, key, index).Select(v => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture))];

    private static string[] Field(Dictionary<string, string> tree, string key, int index) => tree.TryGetValue(key, out var text)
        ? text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        : throw new LearnException($"LightGBM tree {index} has no '{key}' line: the model file is truncated or not LightGBM's text format.");
}
