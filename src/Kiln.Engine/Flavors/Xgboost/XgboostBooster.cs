using System.Globalization;
using System.Text.Json;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Learn.Model;

namespace Kiln.Engine.Flavors.Xgboost;

/// <summary>
/// Compiles an XGBoost Booster saved with <c>save_model</c> (JSON or UBJSON, as MLflow's xgboost flavor stores it) into
/// Kiln's tree predictor. XGBoost scores in single precision — a row goes left when <c>(float)x &lt; split</c> — so each
/// split becomes the largest double whose float rounding is below it, and predictions equal XGBoost's to float precision.
/// Supports <c>gbtree</c> and <c>dart</c> boosters with numeric splits and the objectives whose link Kiln has
/// (identity, logistic, softmax).
/// </summary>
public static class XgboostBooster
{
    /// <summary>Compiles the model in <paramref name="document"/>; <paramref name="hints"/> may name the features and classes.</summary>
    /// <exception cref="LearnException">Not an XGBoost model, or one using a booster, split or objective Kiln cannot serve.</exception>
    public static TrainedModel Compile(JsonElement document, ModelHints hints)
    {
        var learner = Get(document, "learner", "the file has no 'learner': it is not an XGBoost model saved with save_model");
        var parameters = Get(learner, "learner_model_param", "the learner has no 'learner_model_param'");
        var objective = Get(Get(learner, "objective", "the learner has no 'objective'"), "name", "the objective has no name").GetString() ?? "";
        var featureCount = Int(Text(parameters, "num_feature"));
        var classCount = Int(Text(parameters, "num_class"));
        if (parameters.TryGetProperty("num_target", out _) && Int(Text(parameters, "num_target")) > 1)
        {
            throw new LearnException("This XGBoost model has several targets (num_target > 1); Kiln serves one target per model.");
        }
        // XGBoost 2.1+ writes the base score as a one-element vector, "[5E-1]"
        var baseScore = (float)double.Parse(Text(parameters, "base_score").Trim('[', ']'), NumberStyles.Float, CultureInfo.InvariantCulture);
        var (task, link, margin) = objective switch
        {
            "binary:logistic" => (TaskKind.BinaryClassification, ImportedLink.Sigmoid, Logit(baseScore)),
            "reg:logistic" => (TaskKind.Regression, ImportedLink.Sigmoid, Logit(baseScore)),
            "multi:softprob" or "multi:softmax" => (TaskKind.MulticlassClassification, ImportedLink.Softmax, baseScore),
            "reg:squarederror" or "reg:linear" or "reg:absoluteerror" or "reg:pseudohubererror" or "reg:quantileerror" or "binary:logitraw"
                or "rank:pairwise" or "rank:ndcg" or "rank:map" => (TaskKind.Regression, ImportedLink.Identity, baseScore),
            _ => throw new LearnException($"XGBoost objective '{objective}' needs an output link Kiln's tree predictor lacks (exp for count/gamma/tweedie, …): " +
                "serve it through ONNX, or retrain with binary:logistic, multi:softprob or a reg:* objective with an identity link."),
        };
        var outputs = task == TaskKind.MulticlassClassification ? classCount : 1;
        var booster = Get(learner, "gradient_booster", "the learner has no 'gradient_booster'");
        var boosterName = booster.TryGetProperty("name", out var n) ? n.GetString() : "";
        var (model, weights) = boosterName switch
        {
            "gbtree" => (Get(booster, "model", "the gbtree booster has no 'model'"), (JsonElement?)null),
            "dart" => (Get(Get(booster, "gbtree", "the dart booster has no 'gbtree'"), "model", "the dart booster has no model"), booster.TryGetProperty("weight_drop", out var w) ? w : null),
            _ => throw new LearnException($"XGBoost booster '{boosterName}' is not a tree booster: Kiln compiles gbtree and dart models (gblinear: serve it as ONNX)."),
        };
        var treeInfo = Get(model, "tree_info", "the model has no 'tree_info'").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var trees = new List<ImportedTree>();
        var t = 0;
        foreach (var tree in Get(model, "trees", "the model has no 'trees'").EnumerateArray())
        {
            var weight = weights is { } dropped ? (float)dropped[t].GetDouble() : 1f;
            trees.Add(Tree(tree, t, featureCount, t < treeInfo.Length ? treeInfo[t] : 0, weight));
            t++;
        }
        var kept = KeptTrees(learner, model, outputs);
        if (kept < trees.Count)
        {
            trees.RemoveRange(kept, trees.Count - kept); // predict() stops at the best iteration early stopping recorded
        }
        var names = FeatureNames(learner, featureCount, hints);
        var classes = task switch
        {
            TaskKind.BinaryClassification => Classes(hints, 2),
            TaskKind.MulticlassClassification => Classes(hints, outputs),
            _ => [],
        };
        var schema = new ModelSchema(task, hints.Target ?? "label", [.. names.Select(f => new FeatureInfo(f, FeatureKind.Numeric, []))], classes);
        var version = document.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Array
            ? string.Join('.', v.EnumerateArray().Select(x => x.GetRawText())) : "unknown";
        return ImportedTrees.Build(schema, trees, [.. Enumerable.Repeat(margin, outputs)], link, 1.0,
            new Dictionary<string, string> { ["imported_from"] = "xgboost " + version, ["objective"] = objective });
    }

    private static ImportedTree Tree(JsonElement tree, int index, int featureCount, int output, float weight)
    {
        var left = Ints(tree, "left_children");
        var right = Ints(tree, "right_children");
        var features = Ints(tree, "split_indices");
        var conditions = Get(tree, "split_conditions", "a tree has no 'split_conditions'").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var defaultLeft = Ints(tree, "default_left");
        // sum_hessian weighs TreeSHAP's branches; a file without it (or with another length) still predicts
        var hessians = tree.TryGetProperty("sum_hessian", out var h) && h.ValueKind == JsonValueKind.Array
            ? h.EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;
        if (hessians is not null && hessians.Length != left.Length)
        {
            hessians = null;
        }
        if (tree.TryGetProperty("split_type", out var types) && types.EnumerateArray().Any(e => e.GetInt32() != 0))
        {
            throw new LearnException($"Tree {index} has categorical splits (enable_categorical): Kiln compiles numeric splits only; one-hot encode the categories, or serve the model as ONNX.");
        }
        if (left.Length != right.Length || left.Length != features.Length || left.Length != conditions.Length || left.Length != defaultLeft.Length)
        {
            throw new LearnException($"Tree {index} is corrupt: its node arrays differ in length.");
        }
        // XGBoost numbers splits and leaves together; Kiln keeps them apart (a leaf child is ~its index)
        var slot = new int[left.Length];
        var (splitCount, leafCount) = (0, 0);
        for (var i = 0; i < left.Length; i++)
        {
            slot[i] = left[i] == -1 ? ~leafCount++ : splitCount++;
        }
        var splits = new ImportedSplit[splitCount];
        var leaves = new double[leafCount];
        var leafCovers = new double[leafCount];
        for (var i = 0; i < left.Length; i++)
        {
            if (left[i] == -1)
            {
                leaves[~slot[i]] = conditions[i] * weight;
                leafCovers[~slot[i]] = hessians?[i] ?? double.NaN;
                continue;
            }
            if (features[i] < 0 || features[i] >= featureCount || left[i] >= left.Length || right[i] < 0 || right[i] >= left.Length)
            {
                throw new LearnException($"Tree {index} is corrupt: node {i} refers to a feature or child that does not exist.");
            }
            splits[slot[i]] = new ImportedSplit(features[i], BelowFloat(conditions[i]), defaultLeft[i] != 0, slot[left[i]], slot[right[i]])
            {
                Cover = hessians?[i] ?? double.NaN,
            };
        }
        if (splitCount > 0 && slot[0] != 0)
        {
            throw new LearnException($"Tree {index} is corrupt: its root is a leaf with children.");
        }
        return new ImportedTree(splits, leaves, output) { LeafCovers = hessians is null ? null : leafCovers };
    }

    /// <summary>How many trees <c>predict()</c> uses: all, or those up to the <c>best_iteration</c> attribute.</summary>
    private static int KeptTrees(JsonElement learner, JsonElement model, int outputs)
    {
        if (!learner.TryGetProperty("attributes", out var attributes) || !attributes.TryGetProperty("best_iteration", out var best)
            || !int.TryParse(best.ValueKind == JsonValueKind.String ? best.GetString() : best.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var iteration))
        {
            return int.MaxValue;
        }
        var parallel = model.TryGetProperty("gbtree_model_param", out var p) && p.TryGetProperty("num_parallel_tree", out var np)
            && int.TryParse(np.ValueKind == JsonValueKind.String ? np.GetString() : np.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var trees) ? trees : 1;
        return (iteration + 1) * outputs * Math.Max(1, parallel);
    }

    /// <summary>The largest double <c>d</c> with <c>(float)d &lt; t</c>: XGBoost's "x &lt; t goes left", on float inputs,
    /// as Kiln's "x ≤ d goes left" on doubles.</summary>
    internal static double BelowFloat(float t)
    {
        if (float.IsInfinity(t) || float.IsNaN(t))
        {
            return t;
        }
        var previous = MathF.BitDecrement(t);
        var middle = ((double)previous + t) / 2; // exact: two floats' sum fits a double
        // a double exactly halfway rounds to the float with the even mantissa
        var previousEven = (BitConverter.SingleToInt32Bits(previous) & 1) == 0;
        return previousEven ? middle : Math.BitDecrement(middle);
    }

    private static double Logit(float p) => p is <= 0 or >= 1
        ? throw new LearnException($"XGBoost base_score {p} is not a probability, as a logistic objective needs.")
        : (float)-Math.Log((1.0 / p) - 1.0);

    private static IReadOnlyList<string> FeatureNames(JsonElement learner, int count, ModelHints hints)
    {
        if (hints.Features is { } given)
        {
            return given.Count == count ? given
                : throw new LearnException($"{given.Count} feature name(s) were given but the XGBoost model reads {count} features.");
        }
        if (learner.TryGetProperty("feature_names", out var names) && names.ValueKind == JsonValueKind.Array && names.GetArrayLength() == count)
        {
            return [.. names.EnumerateArray().Select(e => e.GetString() ?? "")];
        }
        return [.. Enumerable.Range(0, count).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture))]; // XGBoost's own default names
    }

    private static IReadOnlyList<string> Classes(ModelHints hints, int count)
    {
        if (hints.Classes is { } given)
        {
            return given.Count == count ? given : throw new LearnException($"{given.Count} class label(s) were given but the model predicts {count} classes.");
        }
        return [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    private static JsonElement Get(JsonElement e, string name, string problem) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) ? value : throw new LearnException($"Not an XGBoost model: {problem}.");

    private static string Text(JsonElement e, string name) => Get(e, name, $"'{name}' is missing") is { ValueKind: JsonValueKind.String } s ? s.GetString()! : Get(e, name, "").GetRawText();

    private static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new LearnException($"Not an XGBoost model: '{text}' is not a count.");

    private static int[] Ints(JsonElement tree, string name) => [.. Get(tree, name, $"a tree has no '{name}'").EnumerateArray().Select(e => e.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => e.GetInt32(),
    })];
}
