using Kiln.Engine.Flavors;

namespace Kiln.Flavors.MlNet;

/// <summary>ML.NET models saved with <c>mlContext.Model.Save</c> (a zip holding the transformer chain and its input
/// schema): <c>flavors: mlnet: data: model.zip</c>.</summary>
public sealed class MlNetFlavor : IFlavor
{
    /// <inheritdoc />
    public string Name => "mlnet";

    /// <inheritdoc />
    public bool Recognizes(string path)
    {
        if (!File.Exists(path) || !Path.GetExtension(path).Equals(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain", StringComparison.Ordinal) || e.FullName.StartsWith("Model/", StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path) =>
        ("model.zip", new Dictionary<string, object?> { ["data"] = "model.zip", ["mlnet_version"] = typeof(Microsoft.ML.MLContext).Assembly.GetName().Version?.ToString(3) });

    /// <inheritdoc />
    public IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints) =>
        new MlNetPredictor(Path.Combine(directory, fields.GetValueOrDefault("data")?.ToString() ?? "model.zip"), hints);
}
