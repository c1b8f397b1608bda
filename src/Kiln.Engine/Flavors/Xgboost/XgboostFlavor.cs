using System.Text.Json;
using Kiln.Learn;

namespace Kiln.Engine.Flavors.Xgboost;

/// <summary>XGBoost Boosters saved by Python's <c>save_model</c> as JSON or UBJSON (MLflow's <c>xgboost</c> flavor:
/// <c>data: model.xgb</c>, <c>model_format: json|ubj</c>), compiled into Kiln's tree predictor when loaded.</summary>
public sealed class XgboostFlavor : IFlavor
{
    /// <inheritdoc />
    public string Name => "xgboost";

    /// <inheritdoc />
    public bool Recognizes(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".ubj" or ".xgb")
        {
            return true;
        }
        if (extension != ".json" || !File.Exists(path))
        {
            return false;
        }
        using var file = File.OpenRead(path);
        var head = new byte[64];
        var read = file.Read(head);
        return System.Text.Encoding.UTF8.GetString(head, 0, read).Contains("\"learner\"", StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path) =>
        ("model.xgb", new Dictionary<string, object?> { ["data"] = "model.xgb", ["model_format"] = IsJson(path) ? "json" : "ubj", ["model_class"] = "xgboost.core.Booster" });

    /// <inheritdoc />
    public IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints)
    {
        var path = Path.Combine(directory, fields.GetValueOrDefault("data")?.ToString() ?? "model.xgb");
        return new KilnPredictor(Compile(path, hints), Name);
    }

    /// <summary>Compiles the Booster file at <paramref name="path"/> (JSON or UBJSON, told apart by its first byte).</summary>
    public static TrainedModel Compile(string path, ModelHints hints)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > 0 && bytes[0] == (byte)'b' && !IsJson(path))
        {
            throw new LearnException($"{path} is in XGBoost's old binary format, which Kiln does not read: load it in Python and save_model(\"model.json\") or (\"model.ubj\").");
        }
        JsonDocument document;
        try
        {
            document = bytes.Length > 0 && bytes[0] == (byte)'{' && !LooksUbjson(bytes) ? JsonDocument.Parse(bytes) : Ubjson.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new LearnException($"{path} is not an XGBoost JSON model: {e.Message}");
        }
        using (document)
        {
            return XgboostBooster.Compile(document.RootElement, hints);
        }
    }

    /// <summary>UBJSON objects also start with '{', followed by a length marker rather than whitespace or a quote.</summary>
    private static bool LooksUbjson(byte[] bytes) => bytes.Length > 1 && bytes[1] is (byte)'i' or (byte)'U' or (byte)'I' or (byte)'l' or (byte)'L' or (byte)'#' or (byte)'$';

    private static bool IsJson(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        var read = file.Read(head);
        return read == 2 && head[0] == (byte)'{' && head[1] is (byte)'"' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'}';
    }
}
