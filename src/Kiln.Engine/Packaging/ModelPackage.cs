using System.Text.Json;
using Kiln.Learn;
using Kiln.Tabular;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Packaging;

/// <summary>
/// A model package directory: <c>MLmodel</c> (MLflow-style YAML), the versioned binary model file, the training
/// data's profile and the profile of the model's predictions on it (kept for drift monitoring) and an input example. <see cref="Load"/> gives the compiled model back.
/// </summary>
public static class ModelPackage
{
    public const string ModelFileName = "model.kiln";
    public const string ProfileFile = "training_profile.json";

    /// <summary>The profile of the model's own predictions on its training rows (one column, <see cref="PredictionColumn"/>):
    /// the reference for prediction drift. Binary classifiers and regressors only.</summary>
    public const string PredictionProfileFile = "prediction_profile.json";

    /// <summary>The column of <see cref="PredictionProfileFile"/>: a binary classifier's probability of its second class, a regressor's value.</summary>
    public const string PredictionColumn = "prediction";
    public const string InputExampleFile = "input_example.json";

    /// <summary>Writes a package for <paramref name="model"/> into <paramref name="directory"/> (created if needed).</summary>
    /// <param name="directory">The package directory.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="training">The training table (its features are profiled and the first rows kept as the input example).</param>
    /// <param name="runId">The run that trained it, if any.</param>
    /// <param name="created">When the package was made (MLmodel's <c>utc_time_created</c>).</param>
    /// <param name="modelUuid">MLmodel's <c>model_uuid</c>.</param>
    public static MLmodelFile Write(string directory, TrainedModel model, Table training, string? runId, DateTimeOffset created, string modelUuid)
    {
        Directory.CreateDirectory(directory);
        using (var file = File.Create(Path.Combine(directory, ModelFileName)))
        {
            model.Save(file);
        }
        var features = training.Select([.. model.Schema.Features.Select(f => f.Name)]);
        File.WriteAllText(Path.Combine(directory, ProfileFile), TableProfile.Compute(features).ToJson(indented: true));
        if (model.Schema.OutputCount == 1)
        {
            var predictions = new Tabular.Columns.Float64Column(PredictionColumn, model.Predict(features));
            File.WriteAllText(Path.Combine(directory, PredictionProfileFile), TableProfile.Compute(new Table([predictions])).ToJson(indented: true));
        }
        File.WriteAllText(Path.Combine(directory, InputExampleFile), InputExample(features, 5));
        var mlmodel = new MLmodelFile(model.LearnerName, Kiln.Learn.Model.ModelFile.CurrentVersion, ModelFileName, model.Schema, runId, modelUuid, created);
        File.WriteAllText(Path.Combine(directory, MLmodelFile.FileName), mlmodel.ToYaml());
        return mlmodel;
    }

    /// <summary>Loads the model a package holds; a directory without MLmodel, or an MLmodel of another flavor, is a clear error.</summary>
    public static TrainedModel Load(string directory)
    {
        var mlmodelPath = Path.Combine(directory, MLmodelFile.FileName);
        if (!File.Exists(mlmodelPath))
        {
            throw new LearnException($"'{directory}' is not a model package: it has no MLmodel file. Pass the package directory (the run's 'model' artifact).");
        }
        var (_, _, modelFile, _) = MLmodelFile.Parse(File.ReadAllText(mlmodelPath), mlmodelPath);
        using var stream = File.OpenRead(Path.Combine(directory, modelFile));
        return Kiln.Learn.Model.ModelFile.Load(stream);
    }

    /// <summary>The first rows of the features in pandas' "split" orientation, as MLflow saves input examples.</summary>
    private static string InputExample(Table features, int rows)
    {
        var count = Math.Min(rows, features.RowCount);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("columns");
            foreach (var name in features.ColumnNames)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteStartArray("data");
            for (var row = 0; row < count; row++)
            {
                json.WriteStartArray();
                foreach (var column in features.Columns)
                {
                    if (column.IsMissing(row))
                    {
                        json.WriteNullValue();
                    }
                    else if (column is Kiln.Tabular.Columns.NumericColumn numeric)
                    {
                        json.WriteNumberValue(numeric.GetValue(row));
                    }
                    else
                    {
                        json.WriteStringValue(column.FormatValue(row) ?? "");
                    }
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
