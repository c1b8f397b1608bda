using System.Globalization;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using YamlDotNet.Serialization;

namespace Kiln.Engine.Flavors;

/// <summary>
/// Turns a model trained elsewhere into a Kiln model package: the model file under its flavor's name, and an MLmodel
/// (MLflow's layout) with the flavor section, a signature read off the loaded model, and Kiln's metadata (target,
/// classes). The model is loaded before anything is written, so a file Kiln cannot serve is refused up front.
/// </summary>
public static class ModelImport
{
    /// <summary>Packages <paramref name="source"/> (a model file, or a folder with an MLmodel, e.g. one MLflow saved)
    /// into <paramref name="directory"/> and returns the loaded model.</summary>
    /// <param name="catalog">The flavors that may load it.</param>
    /// <param name="source">The model file or package folder.</param>
    /// <param name="flavor">The flavor, or null to recognise it from the file.</param>
    /// <param name="hints">Feature names, target and classes the file itself may not carry.</param>
    /// <param name="directory">The package directory to write (created).</param>
    /// <param name="created">MLmodel's <c>utc_time_created</c>.</param>
    /// <exception cref="LearnException">The source is missing, of no known flavor, or cannot be loaded; the message says which.</exception>
    public static IPredictor Package(FlavorCatalog catalog, string source, string? flavor, ModelHints hints, string directory, DateTimeOffset created)
    {
        Directory.CreateDirectory(directory);
        if (Directory.Exists(source))
        {
            if (!File.Exists(Path.Combine(source, MLmodelFile.FileName)))
            {
                throw new LearnException($"'{source}' is a folder without an MLmodel file: pass the model file itself (with --flavor if its name does not tell).");
            }
            CopyTree(source, directory);
            return catalog.Load(directory);
        }
        if (!File.Exists(source))
        {
            throw new LearnException($"No model file at '{source}'.");
        }
        var kind = flavor is null ? catalog.Detect(source) : catalog.Get(flavor);
        var (dataFile, fields) = kind.Describe(source);
        File.Copy(source, Path.Combine(directory, dataFile), overwrite: true);
        var predictor = kind.Load(directory, fields, hints);
        try
        {
            File.WriteAllText(Path.Combine(directory, MLmodelFile.FileName), Yaml(kind.Name, fields, predictor, created));
            return predictor;
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    private static string Yaml(string flavor, IReadOnlyDictionary<string, object?> fields, IPredictor predictor, DateTimeOffset created)
    {
        var schema = predictor.Schema;
        var document = new Dictionary<string, object?>
        {
            ["artifact_path"] = "model",
            ["flavors"] = new Dictionary<string, object?> { [flavor] = fields.ToDictionary(p => p.Key, p => p.Value) },
            ["metadata"] = new Dictionary<string, object?>
            {
                [FlavorCatalog.TargetKey] = schema.Target,
                [FlavorCatalog.ClassesKey] = schema.Classes.ToList(),
                ["kiln_task"] = schema.Task.ToString(),
                ["kiln_imported"] = true,
            },
            ["model_uuid"] = Guid.NewGuid().ToString("N"),
            ["signature"] = new Dictionary<string, object?>
            {
                ["inputs"] = MLmodelFile.InputsJsonFor(schema),
                ["outputs"] = MLmodelFile.OutputsJsonFor(schema),
                ["params"] = null,
            },
            ["utc_time_created"] = created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        };
        return new SerializerBuilder().ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build().Serialize(document);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
