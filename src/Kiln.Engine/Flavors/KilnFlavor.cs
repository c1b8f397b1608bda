using Kiln.Engine.Packaging;
using Kiln.Learn;

namespace Kiln.Engine.Flavors;

/// <summary>Kiln's own model packages (<c>model.kiln</c>, written by <c>kiln train</c>).</summary>
public sealed class KilnFlavor : IFlavor
{
    /// <summary>The flavor's name.</summary>
    public const string FlavorName = "kiln";

    /// <inheritdoc />
    public string Name => FlavorName;

    /// <inheritdoc />
    public bool Recognizes(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        Span<byte> head = stackalloc byte[8];
        using var file = File.OpenRead(path);
        return file.Read(head) == 8 && head.SequenceEqual(Kiln.Learn.Model.ModelFile.Magic);
    }

    /// <inheritdoc />
    public (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path) =>
        (ModelPackage.ModelFileName, new Dictionary<string, object?> { ["model_file"] = ModelPackage.ModelFileName });

    /// <inheritdoc />
    public IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints)
    {
        var file = fields.GetValueOrDefault("model_file")?.ToString() ?? ModelPackage.ModelFileName;
        using var stream = File.OpenRead(Path.Combine(directory, file));
        return new KilnPredictor(TrainedModel.Load(stream));
    }
}
