using Kiln.Engine.Flavors;

namespace Kiln.Flavors.Onnx;

/// <summary>ONNX models (scikit-learn through skl2onnx, PyTorch exports, …) run by ONNX Runtime; MLflow's <c>onnx</c> flavor
/// (<c>data: model.onnx</c>).</summary>
public sealed class OnnxFlavor : IFlavor
{
    /// <inheritdoc />
    public string Name => "onnx";

    /// <inheritdoc />
    public bool Recognizes(string path) => Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path) =>
        ("model.onnx", new Dictionary<string, object?> { ["data"] = "model.onnx", ["providers"] = new List<object?> { "CPUExecutionProvider" } });

    /// <inheritdoc />
    public IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints) =>
        new OnnxPredictor(Path.Combine(directory, fields.GetValueOrDefault("data")?.ToString() ?? "model.onnx"), hints);
}
