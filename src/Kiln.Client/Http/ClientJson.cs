using System.Globalization;
using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Tracking;

namespace Kiln.Client.Http;

/// <summary>Reads and writes MLflow's JSON shapes on the client side.</summary>
internal static class ClientJson
{
    public static Experiment Experiment(JsonElement e) => new(
        Str(e, "experiment_id"), Str(e, "name"), Str(e, "artifact_location"), LifecycleNames.ParseStage(Str(e, "lifecycle_stage")),
        Long(e, "creation_time"), Long(e, "last_update_time"), Tags(e, "tags"));

    public static Run Run(JsonElement e)
    {
        var info = RunInfo(e.GetProperty("info"));
        var data = e.TryGetProperty("data", out var d) ? d : default;
        var metrics = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("metrics", out var m) ? m.EnumerateArray().Select(Metric).ToList() : [];
        var parameters = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("params", out var p)
            ? p.EnumerateArray().Select(x => new Param(Str(x, "key"), Str(x, "value"))).ToList() : [];
        var tags = data.ValueKind == JsonValueKind.Object ? Tags(data, "tags") : [];
        var inputs = new List<DatasetInput>();
        if (e.TryGetProperty("inputs", out var i) && i.TryGetProperty("dataset_inputs", out var di))
        {
            foreach (var input in di.EnumerateArray())
            {
                var ds = input.GetProperty("dataset");
                inputs.Add(new DatasetInput(new Dataset(Str(ds, "name"), Str(ds, "digest"), Str(ds, "source_type"), Str(ds, "source"),
                    OptStr(ds, "schema"), OptStr(ds, "profile")), Tags(input, "tags")));
            }
        }
        return new Run(info, new RunData(metrics, parameters, tags), inputs);
    }

    public static RunInfo RunInfo(JsonElement e) => new(
        OptStr(e, "run_id") ?? Str(e, "run_uuid"), OptStr(e, "run_name") ?? "", Str(e, "experiment_id"), OptStr(e, "user_id") ?? "",
        RunStatusNames.Parse(Str(e, "status")), Long(e, "start_time"), e.TryGetProperty("end_time", out var end) ? AsLong(end) : null,
        Str(e, "artifact_uri"), LifecycleNames.ParseStage(Str(e, "lifecycle_stage")));

    public static Metric Metric(JsonElement e) => new(Str(e, "key"), Double(e.GetProperty("value")), Long(e, "timestamp"), e.TryGetProperty("step", out var s) ? AsLong(s) : 0);

    public static ArtifactEntry File(JsonElement e) =>
        new(Str(e, "path"), e.TryGetProperty("is_dir", out var d) && d.GetBoolean(), e.TryGetProperty("file_size", out var s) ? AsLong(s) : null);

    public static List<Tag> Tags(JsonElement e, string name) =>
        e.TryGetProperty(name, out var tags) ? [.. tags.EnumerateArray().Select(t => new Tag(Str(t, "key"), Str(t, "value")))] : [];

    public static string? NextPageToken(JsonElement e) => OptStr(e, "next_page_token");

    public static void WriteTags(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, string>>? tags)
    {
        w.WriteStartArray(name);
        foreach (var (key, value) in tags ?? [])
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteMetric(Utf8JsonWriter w, Metric metric)
    {
        w.WriteStartObject();
        w.WriteString("key", metric.Key);
        if (double.IsFinite(metric.Value))
        {
            w.WriteNumber("value", metric.Value);
        }
        else
        {
            w.WriteString("value", double.IsNaN(metric.Value) ? "NaN" : metric.Value > 0 ? "Infinity" : "-Infinity");
        }
        w.WriteNumber("timestamp", metric.Timestamp);
        w.WriteNumber("step", metric.Step);
        w.WriteEndObject();
    }

    private static string Str(JsonElement e, string name) => OptStr(e, name) ?? "";

    private static string? OptStr(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? AsLong(v) : 0;

    private static long AsLong(JsonElement v) => v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetInt64();

    private static double Double(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        _ => v.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
    };
}
