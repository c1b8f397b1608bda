using System.Text;
using System.Text.Json;
using Kiln.Core.Errors;

namespace Kiln.Core.Tracking;

/// <summary>
/// Where a page of metric history ended: the last point returned. The next page is the points after it in
/// <see cref="MetricOrder"/>, so a store reads only the chunks that can hold them instead of counting from the start.
/// </summary>
/// <param name="Step">The last point's step.</param>
/// <param name="Timestamp">The last point's timestamp.</param>
/// <param name="Value">The last point's value (compared with its bits, so NaN and -0.0 are exact).</param>
public readonly record struct MetricCursor(long Step, long Timestamp, double Value)
{
    /// <summary>The cursor just past <paramref name="point"/>.</summary>
    public static MetricCursor After(Metric point) => new(point.Step, point.Timestamp, point.Value);

    /// <summary>True when <paramref name="point"/> comes after this cursor.</summary>
    public bool Precedes(Metric point) => MetricOrder.Compare(Step, Timestamp, Value, point.Step, point.Timestamp, point.Value) < 0;

    /// <summary>The opaque page token for this cursor.</summary>
    public string ToToken() => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $"{{\"step\": {Step}, \"timestamp\": {Timestamp}, \"value_bits\": {BitConverter.DoubleToInt64Bits(Value)}}}"));

    /// <summary>Decodes a page token; null or empty is the first page. Anything else is INVALID_PARAMETER_VALUE, never a crash.</summary>
    public static MetricCursor? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(token));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && Int64(root, "step") is { } step && Int64(root, "timestamp") is { } timestamp
                && Int64(root, "value_bits") is { } bits)
            {
                return new MetricCursor(step, timestamp, BitConverter.Int64BitsToDouble(bits));
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }
        throw KilnException.Invalid($"Invalid page token '{token}': pass back the next_page_token of an earlier metric-history response unchanged.");
    }

    private static long? Int64(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}

/// <summary>The order of a metric's history: step, then timestamp, then value, then the value's bits (a total order).</summary>
public static class MetricOrder
{
    /// <summary>Compares two points.</summary>
    public static int Compare(Metric a, Metric b) => Compare(a.Step, a.Timestamp, a.Value, b.Step, b.Timestamp, b.Value);

    /// <summary>Compares two points given by their fields.</summary>
    public static int Compare(long stepA, long timestampA, double valueA, long stepB, long timestampB, double valueB)
    {
        var c = stepA.CompareTo(stepB);
        if (c != 0)
        {
            return c;
        }
        c = timestampA.CompareTo(timestampB);
        if (c != 0)
        {
            return c;
        }
        c = valueA.CompareTo(valueB);
        return c != 0 ? c : BitConverter.DoubleToInt64Bits(valueA).CompareTo(BitConverter.DoubleToInt64Bits(valueB));
    }
}
