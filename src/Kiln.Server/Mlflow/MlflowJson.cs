using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Tracking;

namespace Kiln.Server.Mlflow;

/// <summary>
/// Writes Kiln's records in MLflow's JSON shapes (protobuf JSON with the proto's field names):
/// int64 as numbers, NaN/±Infinity as "NaN"/"Infinity"/"-Infinity", empty lists omitted.
/// </summary>
public static class MlflowJson
{
    /// <summary>Writer options for every JSON response: readable quotes and non-ASCII, as MLflow's server writes them.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a page: the items under <paramref name="name"/> (omitted when empty) and next_page_token when there is one.</summary>
    public static void WritePage<T>(Utf8JsonWriter w, string name, Page<T> page, Action<Utf8JsonWriter, T> write)
    {
        if (page.Items.Count > 0)
        {
            w.WriteStartArray(name);
            foreach (var item in page.Items)
            {
                write(w, item);
            }
            w.WriteEndArray();
        }
        if (page.NextPageToken is not null)
        {
            w.WriteString("next_page_token", page.NextPageToken);
        }
    }

    public static void WriteExperiment(Utf8JsonWriter w, Experiment e)
    {
        w.WriteStartObject();
        w.WriteString("experiment_id", e.ExperimentId);
        w.WriteString("name", e.Name);
        w.WriteString("artifact_location", e.ArtifactLocation);
        w.WriteString("lifecycle_stage", e.LifecycleStage.WireName());
        w.WriteNumber("last_update_time", e.LastUpdateTime);
        w.WriteNumber("creation_time", e.CreationTime);
        WriteTags(w, "tags", e.Tags);
        w.WriteEndObject();
    }

    public static void WriteRun(Utf8JsonWriter w, Run run)
    {
        w.WriteStartObject();
        w.WritePropertyName("info");
        WriteRunInfo(w, run.Info);
        w.WriteStartObject("data");
        if (run.Data.Metrics.Count > 0)
        {
            w.WriteStartArray("metrics");
            foreach (var metric in run.Data.Metrics)
            {
                WriteMetric(w, metric);
            }
            w.WriteEndArray();
        }
        if (run.Data.Params.Count > 0)
        {
            w.WriteStartArray("params");
            foreach (var param in run.Data.Params)
            {
                w.WriteStartObject();
                w.WriteString("key", param.Key);
                w.WriteString("value", param.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        WriteTags(w, "tags", run.Data.Tags);
        w.WriteEndObject();
        w.WriteStartObject("inputs");
        if (run.Inputs.Count > 0)
        {
            w.WriteStartArray("dataset_inputs");
            foreach (var input in run.Inputs)
            {
                w.WriteStartObject();
                WriteTags(w, "tags", input.Tags);
                w.WriteStartObject("dataset");
                w.WriteString("name", input.Dataset.Name);
                w.WriteString("digest", input.Dataset.Digest);
                w.WriteString("source_type", input.Dataset.SourceType);
                w.WriteString("source", input.Dataset.Source);
                if (input.Dataset.Schema is not null)
                {
                    w.WriteString("schema", input.Dataset.Schema);
                }
                if (input.Dataset.Profile is not null)
                {
                    w.WriteString("profile", input.Dataset.Profile);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteRunInfo(Utf8JsonWriter w, RunInfo info)
    {
        w.WriteStartObject();
        w.WriteString("run_id", info.RunId);
        w.WriteString("run_uuid", info.RunId);
        w.WriteString("run_name", info.RunName);
        w.WriteString("experiment_id", info.ExperimentId);
        w.WriteString("user_id", info.UserId);
        w.WriteString("status", info.Status.WireName());
        w.WriteNumber("start_time", info.StartTime);
        if (info.EndTime is { } end)
        {
            w.WriteNumber("end_time", end);
        }
        w.WriteString("artifact_uri", info.ArtifactUri);
        w.WriteString("lifecycle_stage", info.LifecycleStage.WireName());
        w.WriteEndObject();
    }

    public static void WriteMetric(Utf8JsonWriter w, Metric metric)
    {
        w.WriteStartObject();
        w.WriteString("key", metric.Key);
        w.WritePropertyName("value");
        WriteDouble(w, metric.Value);
        w.WriteNumber("timestamp", metric.Timestamp);
        w.WriteNumber("step", metric.Step);
        w.WriteEndObject();
    }

    public static void WriteDouble(Utf8JsonWriter w, double value)
    {
        if (double.IsNaN(value))
        {
            w.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            w.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            w.WriteStringValue("-Infinity");
        }
        else
        {
            w.WriteNumberValue(value);
        }
    }

    /// <summary>Writes a <c>files</c> array, omitted when empty as protobuf's JSON omits empty lists.</summary>
    public static void WriteFiles(Utf8JsonWriter w, IReadOnlyCollection<ArtifactEntry> files)
    {
        if (files.Count == 0)
        {
            return;
        }
        w.WriteStartArray("files");
        foreach (var file in files)
        {
            w.WriteStartObject();
            w.WriteString("path", file.Path);
            w.WriteBoolean("is_dir", file.IsDirectory);
            if (file.Size is { } size)
            {
                w.WriteNumber("file_size", size);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteTags(Utf8JsonWriter w, string name, IReadOnlyList<Tag> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var tag in tags)
        {
            w.WriteStartObject();
            w.WriteString("key", tag.Key);
            w.WriteString("value", tag.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
