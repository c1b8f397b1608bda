using System.Text.Json;
using Kiln.Core.Tracking;
using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>Reads MLflow's JSON entities (metrics, params, tags, dataset inputs) out of request bodies.</summary>
public static class MlflowReader
{
    public static Metric Metric(JsonElement element) => new(
        Key: Property(element, "key") is { } key ? ApiRequest.ElementString(key, "key") : throw ApiRequest.Missing("key"),
        Value: Property(element, "value") is { } value ? ApiRequest.ElementDouble(value, "value") : throw ApiRequest.Missing("value"),
        Timestamp: Property(element, "timestamp") is { } ts ? ApiRequest.ElementInt64(ts, "timestamp") : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Step: Property(element, "step") is { } step ? ApiRequest.ElementInt64(step, "step") : 0);

    public static List<Tag> Tags(ApiRequest request, string name) => [.. request.Objects(name).Select(Tag)];

    public static Tag Tag(JsonElement element) => new(RequiredString(element, "key"), RequiredString(element, "value"));

    public static List<DatasetInput> DatasetInputs(ApiRequest request, string name) =>
        [.. request.Objects(name).Select(e =>
        {
            var dataset = Property(e, "dataset") ?? throw ApiRequest.Missing("dataset");
            var tags = Property(e, "tags") is { ValueKind: JsonValueKind.Array } t ? t.EnumerateArray().Select(Tag).ToList() : [];
            return new DatasetInput(new Dataset(
                RequiredString(dataset, "name"),
                RequiredString(dataset, "digest"),
                RequiredString(dataset, "source_type"),
                RequiredString(dataset, "source"),
                OptionalString(dataset, "schema"),
                OptionalString(dataset, "profile")), tags);
        })];

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string RequiredString(JsonElement element, string name) =>
        Property(element, name) is { } value ? ApiRequest.ElementString(value, name) : throw ApiRequest.Missing(name);

    private static string? OptionalString(JsonElement element, string name) =>
        Property(element, name) is { } value ? ApiRequest.ElementString(value, name) : null;
}
