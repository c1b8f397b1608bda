using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Tracking;
using static Kiln.Core.Json.JsonValues;

namespace Kiln.Core.Mlflow;

public static partial class MlflowJson
{
    /// <summary>A <c>Metric</c> object; a missing timestamp is <paramref name="defaultTimestamp"/>, a missing step 0.</summary>
    public static Metric ReadMetric(JsonElement e, long defaultTimestamp = 0) => new(
        Key: RequiredString(e, "key"),
        Value: Property(e, "value") is { } value ? Double(value, "value") : throw Missing("value"),
        Timestamp: OptionalInt64(e, "timestamp") ?? defaultTimestamp,
        Step: OptionalInt64(e, "step") ?? 0);

    /// <summary>A <c>{key, value}</c> tag.</summary>
    public static Tag ReadTag(JsonElement e) => new(RequiredString(e, "key"), RequiredString(e, "value"));

    /// <summary>A <c>{key, value}</c> param.</summary>
    public static Param ReadParam(JsonElement e) => new(RequiredString(e, "key"), RequiredString(e, "value"));

    /// <summary>The tags in the array property <paramref name="name"/> (empty when absent).</summary>
    public static List<Tag> ReadTags(JsonElement e, string name) => [.. Objects(e, name).Select(ReadTag)];

    /// <summary>A <c>DatasetInput</c> object.</summary>
    public static DatasetInput ReadDatasetInput(JsonElement e)
    {
        var dataset = Property(e, "dataset") ?? throw Missing("dataset");
        return new DatasetInput(new Dataset(
            RequiredString(dataset, "name"),
            RequiredString(dataset, "digest"),
            RequiredString(dataset, "source_type"),
            RequiredString(dataset, "source"),
            OptionalString(dataset, "schema"),
            OptionalString(dataset, "profile")), ReadTags(e, "tags"));
    }

    /// <summary>An <c>Experiment</c> object; fields protobuf omits when empty default to empty.</summary>
    public static Experiment ReadExperiment(JsonElement e) => new(
        RequiredString(e, "experiment_id"),
        OptionalString(e, "name") ?? "",
        OptionalString(e, "artifact_location") ?? "",
        LifecycleNames.ParseStage(OptionalString(e, "lifecycle_stage") ?? "active"),
        OptionalInt64(e, "creation_time") ?? 0,
        OptionalInt64(e, "last_update_time") ?? 0,
        ReadTags(e, "tags"));

    /// <summary>A <c>RunInfo</c> object (run_id, or the deprecated run_uuid).</summary>
    public static RunInfo ReadRunInfo(JsonElement e) => new(
        OptionalString(e, "run_id") ?? RequiredString(e, "run_uuid"),
        OptionalString(e, "run_name") ?? "",
        OptionalString(e, "experiment_id") ?? "",
        OptionalString(e, "user_id") ?? "",
        RunStatusNames.Parse(OptionalString(e, "status") ?? "RUNNING"),
        OptionalInt64(e, "start_time") ?? 0,
        OptionalInt64(e, "end_time"),
        OptionalString(e, "artifact_uri") ?? "",
        LifecycleNames.ParseStage(OptionalString(e, "lifecycle_stage") ?? "active"));

    /// <summary>A <c>Run</c> object.</summary>
    public static Run ReadRun(JsonElement e)
    {
        var info = ReadRunInfo(Property(e, "info") ?? throw Missing("info"));
        var data = Property(e, "data");
        var inputs = Property(e, "inputs");
        return new Run(
            info,
            data is { } d ? new RunData([.. Objects(d, "metrics").Select(m => ReadMetric(m))], [.. Objects(d, "params").Select(ReadParam)], ReadTags(d, "tags")) : RunData.Empty,
            inputs is { } i ? [.. Objects(i, "dataset_inputs").Select(ReadDatasetInput)] : []);
    }

    /// <summary>A <c>FileInfo</c> object.</summary>
    public static ArtifactEntry ReadFile(JsonElement e) =>
        new(RequiredString(e, "path"), Property(e, "is_dir") is { ValueKind: JsonValueKind.True }, OptionalInt64(e, "file_size"));

    /// <summary>The page's items under <paramref name="name"/> and its next_page_token.</summary>
    public static Page<T> ReadPage<T>(JsonElement e, string name, Func<JsonElement, T> read) =>
        new([.. Objects(e, name).Select(read)], OptionalString(e, "next_page_token"));

    /// <summary>The objects of the array property <paramref name="name"/> (empty when absent or null).</summary>
    public static IEnumerable<JsonElement> Objects(JsonElement e, string name) => Property(e, name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray(),
        { } other => throw InvalidValue(name, Display(other)),
    };
}
