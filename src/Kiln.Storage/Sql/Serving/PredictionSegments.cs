using System.Buffers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Storage.Sql.Serving;

/// <summary>
/// The prediction log's rows as segments: the rows of one source (deployment, route, model version, shadow) that one
/// batch brought, at most <see cref="MaxRows"/> of them served within <see cref="MaxSpanMs"/>, kept in one store row as a
/// JSON array of <c>[at, latency_ms, "request id", inputs, outputs]</c>. Writing a row then costs its bytes and one
/// entry in the request-id key (<c>prediction_keys</c>), not a table row with two indexes; a time window is read by the
/// segments whose first time falls in it, less <see cref="MaxSpanMs"/>.
/// </summary>
internal static class PredictionSegments
{
    /// <summary>The most rows in a segment (a label's lookup parses its segment: this bounds what one label costs).</summary>
    public const int MaxRows = 4096;

    /// <summary>The most time between a segment's first and last row: a window [from, to) is in the segments with
    /// from − MaxSpanMs ≤ first time &lt; to.</summary>
    public const long MaxSpanMs = 5_000;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The calling thread's buffer for a segment's JSON, kept between batches (a new one per batch, past 85 kB,
    /// was a large-object allocation each time, and those bring full collections); one that grew past 16 MB is let go.</summary>
    public static ArrayBufferWriter<byte> Buffer()
    {
        if (t_buffer is null || t_buffer.Capacity > 16 * 1024 * 1024)
        {
            t_buffer = new ArrayBufferWriter<byte>(1024 * 1024);
        }
        return t_buffer;
    }

    /// <summary>The batch's rows in segments: grouped by source (by reference, in order of arrival), each group cut where
    /// it reaches <see cref="MaxRows"/> rows or would span more than <see cref="MaxSpanMs"/>.</summary>
    public static List<List<int>> Chunk(PredictionRows rows)
    {
        var open = new Dictionary<PredictionSource, (List<int> Rows, long First, long Last)>(ReferenceEqualityComparer.Instance);
        var chunks = new List<List<int>>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (open.TryGetValue(row.Source, out var chunk) && chunk.Rows.Count < MaxRows
                && Math.Max(chunk.Last, row.Time) - Math.Min(chunk.First, row.Time) <= MaxSpanMs)
            {
                chunk.Rows.Add(i);
                open[row.Source] = (chunk.Rows, Math.Min(chunk.First, row.Time), Math.Max(chunk.Last, row.Time));
                continue;
            }
            var fresh = new List<int> { i };
            chunks.Add(fresh);
            open[row.Source] = (fresh, row.Time, row.Time);
        }
        return chunks;
    }

    /// <summary>The first and last time of rows <paramref name="chunk"/> (a segment's <c>first_at</c> and <c>last_at</c>).</summary>
    public static (long First, long Last) Times(PredictionRows rows, List<int> chunk)
    {
        var (first, last) = (long.MaxValue, long.MinValue);
        foreach (var i in chunk)
        {
            first = Math.Min(first, rows[i].Time);
            last = Math.Max(last, rows[i].Time);
        }
        return (first, last);
    }

    /// <summary>Rows <paramref name="indices"/> of <paramref name="rows"/> as a segment's UTF-8 JSON, written to
    /// <paramref name="buffer"/> (cleared first).</summary>
    public static void Encode(PredictionRows rows, IEnumerable<int> indices, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        w.WriteStartArray();
        foreach (var i in indices)
        {
            var r = rows[i];
            w.WriteStartArray();
            w.WriteNumberValue(r.Time);
            w.WriteNumberValue(r.LatencyMs);
            w.WriteStringValue(rows.Text(r.RequestId));
            w.WriteRawValue(rows.Text(r.Inputs), skipInputValidation: true); // JSON the serving path wrote, or checked on the way in
            w.WriteRawValue(rows.Text(r.Outputs), skipInputValidation: true);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    /// <summary>The rows of segment <paramref name="id"/>, whose JSON is <paramref name="data"/>.</summary>
    public static List<SegmentRow> Decode(long id, byte[] data)
    {
        var list = new List<SegmentRow>();
        try
        {
            var reader = new Utf8JsonReader(data);
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException("a row is not an array");
                }
                Expect(ref reader, JsonTokenType.Number);
                var at = reader.GetInt64();
                Expect(ref reader, JsonTokenType.Number);
                var latency = reader.GetDouble();
                Expect(ref reader, JsonTokenType.String);
                var requestId = reader.GetString()!;
                var inputs = Raw(ref reader, data);
                var outputs = Raw(ref reader, data);
                Expect(ref reader, JsonTokenType.EndArray);
                list.Add(new SegmentRow(at, latency, requestId, inputs, outputs));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new KilnException(ErrorCode.InternalError, $"The prediction log's segment {id} cannot be read ({e.Message}); the store holds it unchanged.");
        }
        return list;
    }

    /// <summary>Whether <paramref name="utf8"/> is one JSON value (what a logged row's inputs and outputs must be).</summary>
    public static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (int Start, int Length) Raw(ref Utf8JsonReader reader, byte[] data)
    {
        if (!reader.Read())
        {
            throw new JsonException("a row ends early");
        }
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return (start, (int)reader.BytesConsumed - start);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"expected {type} at byte {reader.TokenStartIndex}");
        }
    }
}

/// <summary>One row of a decoded segment; its inputs and outputs as (start, length) in the segment's bytes.</summary>
internal readonly record struct SegmentRow(long Time, double LatencyMs, string RequestId, (int Start, int Length) Inputs, (int Start, int Length) Outputs);
