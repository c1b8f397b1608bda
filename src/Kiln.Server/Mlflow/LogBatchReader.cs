using System.Buffers.Text;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Json;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;

namespace Kiln.Server.Mlflow;

/// <summary>
/// Reads a log-batch body in one forward pass (Utf8JsonReader, no DOM), reusing the strings of metric keys
/// that repeat within the batch. This is the ingest hot path; it accepts what <see cref="MlflowJson"/>'s readers accept. A metric without a timestamp is refused, as in MLflow.
/// </summary>
public static class LogBatchReader
{
    public sealed record Batch(string? RunId, List<Metric> Metrics, List<Param> Params, List<Tag> Tags);

    public static Batch Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            return ReadBatch(ref reader);
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
        }
        catch (MissingTimestampException)
        {
            try
            {
                throw MissingTimestamp(json);
            }
            catch (JsonException e)
            {
                // the body went wrong after the metric without a timestamp: it is malformed, which is the first thing to fix
                throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
            }
        }
    }

    private static Batch ReadBatch(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw KilnException.Invalid("The request body must be a JSON object.");
        }
        string? runId = null;
        var metrics = new List<Metric>();
        var parameters = new List<Param>();
        var tags = new List<Tag>();
        var keys = new KeyCache();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("run_id"u8) || reader.ValueTextEquals("run_uuid"u8))
            {
                reader.Read();
                runId = reader.TokenType == JsonTokenType.Null ? runId : StringValue(ref reader, "run_id");
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                ReadArray(ref reader, "metrics", (ref Utf8JsonReader r) => metrics.Add(ReadMetric(ref r, keys)));
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                ReadArray(ref reader, "params", (ref Utf8JsonReader r) =>
                {
                    var (key, value) = ReadPair(ref r);
                    parameters.Add(new Param(key, value));
                });
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                ReadArray(ref reader, "tags", (ref Utf8JsonReader r) =>
                {
                    var (key, value) = ReadPair(ref r);
                    tags.Add(new Tag(key, value));
                });
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new Batch(runId, metrics, parameters, tags);
    }

    private delegate void ElementReader(ref Utf8JsonReader reader);

    private static void ReadArray(ref Utf8JsonReader reader, string name, ElementReader read)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonValues.InvalidValue(name, JsonValues.Display(ref reader));
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonValues.InvalidValue(name, JsonValues.Display(ref reader));
            }
            read(ref reader);
        }
    }

    private static Metric ReadMetric(ref Utf8JsonReader reader, KeyCache keys)
    {
        string? key = null;
        double? value = null;
        long? timestamp = null;
        long step = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                key = reader.TokenType == JsonTokenType.String ? keys.Get(ref reader) : StringValue(ref reader, "key");
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                value = DoubleValue(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                timestamp = Int64Value(ref reader, "timestamp");
            }
            else if (reader.ValueTextEquals("step"u8))
            {
                reader.Read();
                step = Int64Value(ref reader, "step");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new Metric(
            key ?? throw JsonValues.Missing("key"),
            value ?? throw JsonValues.Missing("value"),
            timestamp ?? throw new MissingTimestampException(),
            step);
    }

    /// <summary>A metric without a timestamp, which MLflow refuses (its clients always send one): the batch is refused whole.</summary>
    private sealed class MissingTimestampException : Exception;

    /// <summary>MLflow's answer to a metric without a timestamp: the whole <c>metrics</c> value named invalid, as its clients expect.</summary>
    private static Core.Errors.KilnException MissingTimestamp(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var metrics = document.RootElement.GetProperty("metrics");
        return Core.Errors.KilnException.Invalid(
            $"Invalid value {JsonValues.Display(metrics)} for parameter 'metrics' supplied: every metric needs a 'timestamp' (milliseconds since the Unix epoch). See the API docs for more information about request parameters.");
    }

    private static (string Key, string Value) ReadPair(ref Utf8JsonReader reader)
    {
        string? key = null;
        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKey = reader.ValueTextEquals("key"u8);
            var isValue = !isKey && reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isKey)
            {
                key = StringValue(ref reader, "key");
            }
            else if (isValue)
            {
                value = StringValue(ref reader, "value");
            }
            else
            {
                reader.Skip();
            }
        }
        return (key ?? throw JsonValues.Missing("key"), value ?? throw JsonValues.Missing("value"));
    }

    private static string StringValue(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.String => JsonValues.Text(ref reader, name),
        JsonTokenType.Number => throw JsonValues.InvalidValue(name, System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
        _ => throw JsonValues.InvalidValue(name, JsonValues.Display(ref reader)),
    };

    private static long Int64Value(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return number;
        }
        if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            return parsed;
        }
        throw JsonValues.InvalidValue(name, JsonValues.Display(ref reader));
    }

    private static double DoubleValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDouble();
        }
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = JsonValues.Text(ref reader, "value");
            return JsonValues.ParseDouble(text) ?? throw JsonValues.InvalidValue("value", text);
        }
        throw JsonValues.InvalidValue("value", JsonValues.Display(ref reader));
    }

    /// <summary>Metric keys repeat within a batch (10 keys × 100 steps); reuse their strings instead of allocating 1000.</summary>
    private sealed class KeyCache
    {
        private readonly List<(byte[] Utf8, string Text)> _entries = [];

        public string Get(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                foreach (var (utf8, text) in _entries)
                {
                    if (reader.ValueSpan.SequenceEqual(utf8))
                    {
                        return text;
                    }
                }
            }
            var value = JsonValues.Text(ref reader, "key");
            if (!reader.ValueIsEscaped && _entries.Count < 64)
            {
                _entries.Add((reader.ValueSpan.ToArray(), value));
            }
            return value;
        }
    }
}
