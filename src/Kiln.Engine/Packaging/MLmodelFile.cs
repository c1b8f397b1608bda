using System.Globalization;
using System.Text.Json;
using Kiln.Learn;
using Kiln.Learn.Data;
using YamlDotNet.Serialization;

namespace Kiln.Engine.Packaging;

/// <summary>
/// The <c>MLmodel</c> file of a model package, in MLflow's YAML layout: a <c>kiln</c> flavor (learner, format
/// version, model file, features with their categories), an MLflow signature (inputs as column specs, outputs)
/// and the saved input example.
/// </summary>
public sealed record MLmodelFile(
    string Learner,
    int FormatVersion,
    string ModelFile,
    ModelSchema Schema,
    string? RunId,
    string ModelUuid,
    DateTimeOffset Created)
{
    /// <summary>The file's name inside a package.</summary>
    public const string FileName = "MLmodel";

    /// <summary>The signature's input column specs, as MLflow writes them (JSON inside YAML).</summary>
    public string InputsJson => InputsJsonFor(Schema);

    /// <summary>The signature's input column specs for a model with <paramref name="schema"/>.</summary>
    public static string InputsJsonFor(ModelSchema schema) => JsonSerializer.Serialize(schema.Features.Select(f => new Dictionary<string, object>
    {
        ["type"] = f.Kind == FeatureKind.Numeric ? "double" : "string",
        ["name"] = f.Name,
        ["required"] = true,
    }));

    /// <summary>The output column names: probability columns for classifiers, <c>prediction</c> for regression.</summary>
    public IReadOnlyList<string> OutputNames => OutputNamesFor(Schema);

    /// <summary>The output column names a model with <paramref name="schema"/> writes.</summary>
    public static IReadOnlyList<string> OutputNamesFor(ModelSchema schema) => schema.Task switch
    {
        TaskKind.BinaryClassification => ["probability"],
        TaskKind.MulticlassClassification => [.. schema.Classes.Select(c => "probability_" + c)],
        _ => ["prediction"],
    };

    public string OutputsJson => OutputsJsonFor(Schema);

    /// <summary>The signature's output column specs for a model with <paramref name="schema"/>.</summary>
    public static string OutputsJsonFor(ModelSchema schema) => JsonSerializer.Serialize(OutputNamesFor(schema).Select(n => new Dictionary<string, object> { ["type"] = "double", ["name"] = n, ["required"] = true }));

    /// <summary>Writes the YAML text.</summary>
    public string ToYaml() => new SerializerBuilder().ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build().Serialize(Document());

    /// <summary>The same document as JSON.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(Document());

    /// <summary>
    /// What <c>runs/log-model</c> records in the run's <c>mlflow.log-model.history</c> tag: the document without the
    /// signature, input example and feature list, which grow with the table's width while a tag holds 8,000 characters
    /// (the package's MLmodel file keeps them all).
    /// </summary>
    public string ToHistoryJson()
    {
        var document = Document();
        document.Remove("signature");
        document.Remove("saved_input_example_info");
        var kiln = (Dictionary<string, object?>)((Dictionary<string, object?>)document["flavors"]!)["kiln"]!;
        kiln.Remove("features");
        kiln.Remove("classes");
        return System.Text.Json.JsonSerializer.Serialize(document);
    }

    private Dictionary<string, object?> Document()
    {
        return new Dictionary<string, object?>
        {
            ["artifact_path"] = "model",
            ["flavors"] = new Dictionary<string, object?>
            {
                ["kiln"] = new Dictionary<string, object?>
                {
                    ["learner"] = Learner,
                    ["format_version"] = FormatVersion,
                    ["model_file"] = ModelFile,
                    ["task"] = Schema.Task.ToString(),
                    ["target"] = Schema.Target,
                    ["classes"] = Schema.Classes.ToList(),
                    ["features"] = Schema.Features.Select(f => f.Kind == FeatureKind.Categorical
                        ? new Dictionary<string, object?> { ["name"] = f.Name, ["kind"] = "categorical", ["categories"] = f.Categories.ToList() }
                        : new Dictionary<string, object?> { ["name"] = f.Name, ["kind"] = "numeric" }).ToList(),
                    ["kiln_version"] = typeof(MLmodelFile).Assembly.GetName().Version?.ToString(3),
                },
            },
            ["model_uuid"] = ModelUuid,
            ["run_id"] = RunId,
            ["saved_input_example_info"] = new Dictionary<string, object?>
            {
                ["artifact_path"] = ModelPackage.InputExampleFile,
                ["pandas_orient"] = "split",
                ["type"] = "dataframe",
            },
            ["signature"] = new Dictionary<string, object?>
            {
                ["inputs"] = InputsJson,
                ["outputs"] = OutputsJson,
                ["params"] = null,
            },
            ["utc_time_created"] = Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads the fields Kiln needs back from YAML; a missing kiln flavor is a clear error.</summary>
    public static (string Learner, int FormatVersion, string ModelFile, string? RunId) Parse(string yaml, string source)
    {
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(yaml)
            ?? throw new LearnException($"{source} is empty: expected an MLmodel file.");
        if (root.GetValueOrDefault("flavors") is not Dictionary<object, object?> flavors || flavors.GetValueOrDefault("kiln") is not Dictionary<object, object?> kiln)
        {
            throw new LearnException($"{source} has no 'kiln' flavor: it was not written by Kiln, so Kiln cannot load it.");
        }
        var version = int.Parse(kiln.GetValueOrDefault("format_version")?.ToString() ?? "0", CultureInfo.InvariantCulture);
        return (kiln.GetValueOrDefault("learner")?.ToString() ?? "", version, kiln.GetValueOrDefault("model_file")?.ToString() ?? ModelPackage.ModelFileName,
            root.GetValueOrDefault("run_id")?.ToString());
    }
}
