using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Json;
using Kiln.Core.Tracking;

namespace Kiln.Core.Mlflow;

public static partial class MlflowJson
{
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

    /// <summary>An <c>Experiment</c> object.</summary>
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

    /// <summary>A <c>Run</c> object: info, data (metrics, params, tags) and inputs.</summary>
    public static void WriteRun(Utf8JsonWriter w, Run run)
    {
        w.WriteStartObject();
        w.WritePropertyName("info");
        WriteRunInfo(w, run.Info);
        w.WriteStartObject("data");
        WriteMetrics(w, "metrics", run.Data.Metrics);
        WriteParams(w, "params", run.Data.Params);
        WriteTags(w, "tags", run.Data.Tags);
        w.WriteEndObject();
        w.WriteStartObject("inputs");
        WriteDatasetInputs(w, "dataset_inputs", run.Inputs);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A <c>RunInfo</c> object (run_id and the deprecated run_uuid both written).</summary>
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

    /// <summary>A <c>Metric</c> object.</summary>
    public static void WriteMetric(Utf8JsonWriter w, Metric metric)
    {
        w.WriteStartObject();
        WriteMetricFields(w, metric);
        w.WriteEndObject();
    }

    /// <summary>A metric's fields (key, value, timestamp, step) into the object being written, as runs/log-metric takes them.</summary>
    public static void WriteMetricFields(Utf8JsonWriter w, Metric metric)
    {
        w.WriteString("key", metric.Key);
        w.WritePropertyName("value");
        JsonValues.WriteDouble(w, metric.Value);
        w.WriteNumber("timestamp", metric.Timestamp);
        w.WriteNumber("step", metric.Step);
    }

    /// <summary>An array of metrics, omitted when empty.</summary>
    public static void WriteMetrics(Utf8JsonWriter w, string name, IReadOnlyCollection<Metric> metrics)
    {
        if (metrics.Count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var metric in metrics)
        {
            WriteMetric(w, metric);
        }
        w.WriteEndArray();
    }

    /// <summary>An array of <c>{key, value}</c> params, omitted when empty.</summary>
    public static void WriteParams(Utf8JsonWriter w, string name, IReadOnlyCollection<Param> parameters) =>
        WritePairs(w, name, parameters.Count, parameters.Select(p => (p.Key, p.Value)));

    /// <summary>An array of <c>{key, value}</c> tags, omitted when empty.</summary>
    public static void WriteTags(Utf8JsonWriter w, string name, IReadOnlyCollection<Tag> tags) =>
        WritePairs(w, name, tags.Count, tags.Select(t => (t.Key, t.Value)));

    /// <summary>An array of <c>DatasetInput</c> objects (tags and dataset), omitted when empty.</summary>
    public static void WriteDatasetInputs(Utf8JsonWriter w, string name, IReadOnlyCollection<DatasetInput> inputs)
    {
        if (inputs.Count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var input in inputs)
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

    /// <summary>A <c>files</c> array of <c>FileInfo</c> objects, omitted when empty.</summary>
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

    /// <summary>An array of strings (written even when empty, as requests such as runs/search send it).</summary>
    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
    }

    private static void WritePairs(Utf8JsonWriter w, string name, int count, IEnumerable<(string Key, string Value)> pairs)
    {
        if (count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var (key, value) in pairs)
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
