using System.Text.Json;
using Kiln.Engine.Flavors.LightGbm;
using Kiln.Engine.Flavors.Xgboost;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using YamlDotNet.Serialization;

namespace Kiln.Engine.Flavors;

/// <summary>
/// The flavors a process can load, in the order a package's MLmodel is tried: a package loads as the first of its
/// <c>flavors:</c> this catalog knows. <see cref="Builtin"/> has Kiln's own models and the tree libraries compiled into
/// Kiln's predictor (XGBoost, LightGBM); the server and CLI add ONNX and ML.NET (Kiln.Flavors).
/// </summary>
public sealed class FlavorCatalog
{
    /// <summary>The metadata keys an imported package keeps its task, target and classes under.</summary>
    public const string TargetKey = "kiln_target";

    /// <summary>See <see cref="TargetKey"/>.</summary>
    public const string ClassesKey = "kiln_classes";

    private readonly IReadOnlyList<IFlavor> _flavors;

    /// <summary>Creates a catalog of <paramref name="flavors"/>, tried in order.</summary>
    public FlavorCatalog(IEnumerable<IFlavor> flavors)
    {
        _flavors = [.. flavors];
    }

    /// <summary>Kiln, XGBoost and LightGBM.</summary>
    public static FlavorCatalog Builtin { get; } = new([new KilnFlavor(), new XgboostFlavor(), new LightGbmFlavor()]);

    /// <summary>The flavors, in the order they are tried.</summary>
    public IReadOnlyList<IFlavor> Flavors => _flavors;

    /// <summary>This catalog with <paramref name="more"/> added after its own flavors.</summary>
    public FlavorCatalog With(params IFlavor[] more) => new([.. _flavors, .. more.Where(m => _flavors.All(f => f.Name != m.Name))]);

    /// <summary>The flavor named <paramref name="name"/>.</summary>
    /// <exception cref="LearnException">No such flavor here; the message lists those there are.</exception>
    public IFlavor Get(string name) => _flavors.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LearnException($"Unknown flavor '{name}': this Kiln loads {string.Join(", ", _flavors.Select(f => f.Name))}.");

    /// <summary>The flavor of the model file at <paramref name="path"/>, recognised by its name and first bytes.</summary>
    /// <exception cref="LearnException">No flavor recognises it; the message says how to name one.</exception>
    public IFlavor Detect(string path) => _flavors.FirstOrDefault(f => f.Recognizes(path))
        ?? throw new LearnException($"Cannot tell which kind of model '{Path.GetFileName(path)}' is: pass --flavor ({string.Join("|", _flavors.Select(f => f.Name))}).");

    /// <summary>Loads the model in the package <paramref name="directory"/> (a folder with an MLmodel file).</summary>
    /// <exception cref="LearnException">No MLmodel, no flavor this catalog knows, or a model its flavor cannot load.</exception>
    public IPredictor Load(string directory)
    {
        var mlmodelPath = Path.Combine(directory, MLmodelFile.FileName);
        if (!File.Exists(mlmodelPath))
        {
            throw new LearnException($"'{directory}' is not a model package: it has no MLmodel file. Pass the package directory (the run's 'model' artifact), or register a model file with kiln models register NAME FILE.");
        }
        var root = ReadYaml(File.ReadAllText(mlmodelPath), mlmodelPath);
        var flavors = root.GetValueOrDefault("flavors") as Dictionary<object, object?>
            ?? throw new LearnException($"{mlmodelPath} lists no flavors, so Kiln cannot tell how to load the model.");
        foreach (var flavor in _flavors)
        {
            if (flavors.GetValueOrDefault(flavor.Name) is Dictionary<object, object?> section)
            {
                var fields = section.ToDictionary(p => p.Key.ToString()!, p => p.Value);
                return flavor.Load(directory, fields, Hints(root));
            }
        }
        throw new LearnException($"{mlmodelPath} has flavors {string.Join(", ", flavors.Keys)}, none of which this Kiln loads ({string.Join(", ", _flavors.Select(f => f.Name))}).");
    }

    /// <summary>The feature names from the MLmodel signature, and the target and classes from its metadata.</summary>
    internal static ModelHints Hints(Dictionary<string, object?> root)
    {
        IReadOnlyList<string>? features = null;
        if (root.GetValueOrDefault("signature") is Dictionary<object, object?> signature && signature.GetValueOrDefault("inputs") is string inputs)
        {
            using var doc = JsonDocument.Parse(inputs);
            if (doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.EnumerateArray().All(e => e.TryGetProperty("name", out _)))
            {
                features = [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString() ?? "")];
            }
        }
        var metadata = root.GetValueOrDefault("metadata") as Dictionary<object, object?>;
        var classes = metadata?.GetValueOrDefault(ClassesKey) is List<object?> list ? list.Select(c => c?.ToString() ?? "").ToList() : null;
        return new ModelHints(features is { Count: > 0 } ? features : null, metadata?.GetValueOrDefault(TargetKey)?.ToString(), classes);
    }

    internal static Dictionary<string, object?> ReadYaml(string yaml, string source) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(yaml)
            ?? throw new LearnException($"{source} is empty: expected an MLmodel file.");
}
