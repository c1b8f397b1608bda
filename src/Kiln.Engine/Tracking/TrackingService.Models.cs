using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Engine.Tracking;

public sealed partial class TrackingService
{
    /// <summary>The run tag listing the models logged in a run (MLflow's name), a JSON array of MLmodel documents.</summary>
    public const string LoggedModelsTag = "mlflow.log-model.history";

    /// <summary>
    /// Records a model logged in a run (MLflow's <c>runs/log-model</c>): <paramref name="modelJson"/> is its MLmodel as JSON,
    /// with at least <c>artifact_path</c>, <c>flavors</c>, <c>utc_time_created</c> and <c>run_id</c>; it is appended to the
    /// run's <see cref="LoggedModelsTag"/> tag, so tools that list a run's models see it.
    /// </summary>
    public async Task LogModelAsync(string runId, string? modelJson, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(modelJson))
        {
            throw Core.Json.JsonValues.Missing("model_json");
        }
        JsonDocument model;
        try
        {
            model = JsonDocument.Parse(modelJson);
        }
        catch (JsonException)
        {
            throw KilnException.Invalid($"Malformed model info. \n {modelJson} \n is not a valid JSON.");
        }
        using (model)
        {
            if (model.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw KilnException.Invalid($"Malformed model info: model_json must be a JSON object (the MLmodel document), not {model.RootElement.ValueKind}.");
            }
            string[] required = ["artifact_path", "flavors", "utc_time_created", "run_id"];
            var missing = required.Where(field => !model.RootElement.TryGetProperty(field, out _)).ToList();
            if (missing.Count > 0)
            {
                throw KilnException.Invalid($"Model json is missing mandatory fields: {{{string.Join(", ", missing.Select(m => $"'{m}'"))}}}");
            }
            var run = await store.GetRunAsync(runId, ct);
            var entries = new List<string>();
            if (run.Data.Tags.FirstOrDefault(t => t.Key == LoggedModelsTag) is { } previous)
            {
                try
                {
                    using var history = JsonDocument.Parse(previous.Value);
                    if (history.RootElement.ValueKind == JsonValueKind.Array)
                    {
                        entries.AddRange(history.RootElement.EnumerateArray().Select(e => e.GetRawText()));
                    }
                }
                catch (JsonException)
                {
                    // a tag someone overwrote with something else: the history starts again from this model
                }
            }
            entries.Add(model.RootElement.GetRawText());
            await SetTagAsync(runId, new Tag(LoggedModelsTag, "[" + string.Join(", ", entries) + "]"), ct);
        }
    }
}
