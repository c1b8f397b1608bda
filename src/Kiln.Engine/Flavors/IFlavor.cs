namespace Kiln.Engine.Flavors;

/// <summary>What is known about a model's inputs and outputs beyond its own file: from the package's MLmodel (signature
/// and metadata) or from <c>kiln models register --features/--target/--classes</c>. Null fields are left to the flavor.</summary>
/// <param name="Features">The feature (column) names, in the model's input order.</param>
/// <param name="Target">The predicted column's name.</param>
/// <param name="Classes">Class labels in output order.</param>
public sealed record ModelHints(IReadOnlyList<string>? Features = null, string? Target = null, IReadOnlyList<string>? Classes = null)
{
    /// <summary>No hints.</summary>
    public static ModelHints None { get; } = new();
}

/// <summary>A kind of model file Kiln can load (its MLflow-style flavor): how to recognise one and how to load it.</summary>
public interface IFlavor
{
    /// <summary>The flavor's name, also its key under <c>flavors:</c> in MLmodel.</summary>
    string Name { get; }

    /// <summary>Whether the file at <paramref name="path"/> looks like a model of this flavor (by name and first bytes).</summary>
    bool Recognizes(string path);

    /// <summary>The file name the model gets inside a package, and the flavor's MLmodel fields, for a file being imported.</summary>
    (string DataFile, IReadOnlyDictionary<string, object?> Fields) Describe(string path);

    /// <summary>Loads the model whose flavor section is <paramref name="fields"/> from the package <paramref name="directory"/>.</summary>
    /// <exception cref="Kiln.Learn.LearnException">The file is not a valid model of this flavor, or uses something Kiln
    /// cannot serve; the message says which.</exception>
    IPredictor Load(string directory, IReadOnlyDictionary<string, object?> fields, ModelHints hints);
}
