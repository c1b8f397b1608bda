namespace Kiln.Engine.Flavors.LightGbm;

/// <summary>LightGBM text models (MLflow's <c>lightgbm</c> flavor: <c>data: model.lgb</c>), compiled into Kiln's tree predictor.</summary>
public sealed class LightGbmFlavor : IFlavor
{
    /// <inheritdoc />
    public string Name => "lightgbm";

    /// <inheritdoc />
    public bool Recognizes(string path)
    {
        if (!File.Exists(path) || Path.GetExtension(path).ToLowerInvariant() is not (".txt" or ".lgb" or ".model" or ""))
        {
            return false;
        }
        using var reader = new StreamReader(path);
        return reader.ReadLine()?.Trim() == "tree";
    }

    /// <inheritdoc />
    public (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path) =>
        ("model.lgb", new Dictionary<string, object?> { ["data"] = "model.lgb", ["model_class"] = "lightgbm.basic.Booster" });

    /// <inheritdoc />
    public IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints)
    {
        using var reader = new StreamReader(Path.Combine(directory, fields.GetValueOrDefault("data")?.ToString() ?? "model.lgb"));
        return new KilnPredictor(LightGbmText.Compile(reader, hints), Name);
    }
}
