using System.Globalization;
using System.Text.Json;
using Kiln.Core.Registry;
using static Kiln.Core.Json.JsonValues;

namespace Kiln.Core.Mlflow;

public static partial class MlflowJson
{
    /// <summary>A <c>RegisteredModel</c> object (empty fields omitted, as MLflow's protobuf JSON does).</summary>
    public static void WriteRegisteredModel(Utf8JsonWriter w, RegisteredModel model)
    {
        w.WriteStartObject();
        w.WriteString("name", model.Name);
        w.WriteNumber("creation_timestamp", model.CreationTime);
        w.WriteNumber("last_updated_timestamp", model.LastUpdatedTime);
        if (!string.IsNullOrEmpty(model.Description))
        {
            w.WriteString("description", model.Description);
        }
        if (model.LatestVersions.Count > 0)
        {
            w.WriteStartArray("latest_versions");
            foreach (var version in model.LatestVersions)
            {
                WriteModelVersion(w, version);
            }
            w.WriteEndArray();
        }
        WritePairs(w, "tags", model.Tags.Count, model.Tags.Select(t => (t.Key, t.Value)));
        if (model.Aliases.Count > 0)
        {
            w.WriteStartArray("aliases");
            foreach (var (alias, version) in model.Aliases)
            {
                w.WriteStartObject();
                w.WriteString("alias", alias);
                w.WriteString("version", version.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>A <c>ModelVersion</c> object (the version number as a string, as MLflow sends it).</summary>
    public static void WriteModelVersion(Utf8JsonWriter w, ModelVersion v)
    {
        w.WriteStartObject();
        w.WriteString("name", v.Name);
        w.WriteString("version", v.Version.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("creation_timestamp", v.CreationTime);
        w.WriteNumber("last_updated_timestamp", v.LastUpdatedTime);
        WriteIfSet(w, "user_id", v.UserId);
        w.WriteString("current_stage", v.CurrentStage);
        w.WriteString("description", v.Description ?? ""); // MLflow's server sends these three even when empty
        w.WriteString("source", v.Source);
        w.WriteString("run_id", v.RunId ?? "");
        w.WriteString("status", v.Status);
        WriteIfSet(w, "status_message", v.StatusMessage);
        WritePairs(w, "tags", v.Tags.Count, v.Tags.Select(t => (t.Key, t.Value)));
        w.WriteString("run_link", v.RunLink ?? "");
        if (v.Aliases.Count > 0)
        {
            WriteStrings(w, "aliases", v.Aliases);
        }
        w.WriteEndObject();
    }

    /// <summary>Reads a <c>RegisteredModel</c> object.</summary>
    public static RegisteredModel ReadRegisteredModel(JsonElement e) => new(
        RequiredString(e, "name"),
        OptionalInt64(e, "creation_timestamp") ?? 0,
        OptionalInt64(e, "last_updated_timestamp") ?? 0,
        OptionalString(e, "description"),
        ReadTags(e, "tags").ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        Objects(e, "aliases").ToDictionary(a => RequiredString(a, "alias"), a => int.Parse(RequiredString(a, "version"), CultureInfo.InvariantCulture), StringComparer.Ordinal),
        [.. Objects(e, "latest_versions").Select(ReadModelVersion)]);

    /// <summary>Reads a <c>ModelVersion</c> object.</summary>
    public static ModelVersion ReadModelVersion(JsonElement e) => new(
        RequiredString(e, "name"),
        int.Parse(RequiredString(e, "version"), CultureInfo.InvariantCulture),
        OptionalInt64(e, "creation_timestamp") ?? 0,
        OptionalInt64(e, "last_updated_timestamp") ?? 0,
        OptionalString(e, "description") is { Length: > 0 } description ? description : null,
        OptionalString(e, "user_id") ?? "",
        OptionalString(e, "current_stage") ?? "None",
        OptionalString(e, "source") ?? "",
        OptionalString(e, "run_id") is { Length: > 0 } runId ? runId : null,
        OptionalString(e, "run_link") is { Length: > 0 } runLink ? runLink : null,
        OptionalString(e, "status") ?? "READY",
        OptionalString(e, "status_message"),
        ReadTags(e, "tags").ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        Property(e, "aliases") is { ValueKind: JsonValueKind.Array } aliases ? [.. aliases.EnumerateArray().Select(a => a.GetString() ?? "")] : []);

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }
}
