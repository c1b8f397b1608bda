using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;

namespace Kiln.Core.Json;

/// <summary>
/// Protobuf-JSON value rules, as MLflow's API uses them: int64 as a number or a string; doubles as numbers or the
/// strings "NaN", "Infinity", "-Infinity". A value of the wrong kind is INVALID_PARAMETER_VALUE naming the parameter.
/// </summary>
public static class JsonValues
{
    /// <summary>MLflow's message for a missing required parameter.</summary>
    public static KilnException Missing(string name) =>
        KilnException.Invalid($"Missing value for required parameter '{name}'. See the API docs for more information about request parameters.");

    /// <summary>MLflow's message for a parameter with a value of the wrong kind.</summary>
    public static KilnException InvalidValue(string name, string value) =>
        KilnException.Invalid($"Invalid value {Shorten(value)} for parameter '{name}' supplied. See the API docs for more information about request parameters.");

    /// <summary>A string that is not valid Unicode (a lone surrogate such as <c>\ud800</c>): INVALID_PARAMETER_VALUE naming the parameter.</summary>
    public static KilnException NotUnicode(string name) =>
        KilnException.Invalid($"Invalid value for parameter '{name}': the string is not valid Unicode (a lone surrogate such as \\ud800, or bytes that are not UTF-8). Send valid UTF-8 text.");

    /// <summary>
    /// A value as MLflow's messages print it (Python's formatting, which its clients match on): a string's text without
    /// quotes; numbers as sent; true/false/null as True/False/None; lists and objects as Python reprs, e.g.
    /// <c>[{'key': 'mae', 'value': 2.5}]</c>.
    /// </summary>
    public static string Display(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            try
            {
                return element.GetString()!;
            }
            catch (InvalidOperationException)
            {
                return element.GetRawText();
            }
        }
        var text = new System.Text.StringBuilder();
        AppendRepr(text, element);
        return text.ToString();
    }

    private static void AppendRepr(System.Text.StringBuilder text, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                string value;
                try
                {
                    value = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    text.Append(element.GetRawText());
                    return;
                }
                text.Append('\'').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append('\'');
                return;
            case JsonValueKind.True:
                text.Append("True");
                return;
            case JsonValueKind.False:
                text.Append("False");
                return;
            case JsonValueKind.Null:
                text.Append("None");
                return;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    text.Append(first ? "" : ", ");
                    AppendRepr(text, item);
                    first = false;
                }
                text.Append(']');
                return;
            case JsonValueKind.Object:
                text.Append('{');
                var firstProperty = true;
                foreach (var property in element.EnumerateObject())
                {
                    text.Append(firstProperty ? "'" : ", '").Append(property.Name).Append("': ");
                    AppendRepr(text, property.Value);
                    firstProperty = false;
                }
                text.Append('}');
                return;
            default:
                text.Append(element.GetRawText());
                return;
        }
    }

    /// <summary>The value at a reader's current token as MLflow's messages print it (see <see cref="Display(JsonElement)"/>); reads past it.</summary>
    public static string Display(ref Utf8JsonReader reader)
    {
        try
        {
            using var value = JsonDocument.ParseValue(ref reader);
            return Display(value.RootElement);
        }
        catch (JsonException)
        {
            return reader.TokenType.ToString();
        }
    }

    /// <summary>The string value of a JSON string element; invalid Unicode is <see cref="NotUnicode"/>, never a crash.</summary>
    public static string Text(JsonElement element, string name)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }
    }

    /// <summary>The string value at a reader's string token; invalid Unicode is <see cref="NotUnicode"/>, never a crash.</summary>
    public static string Text(ref Utf8JsonReader reader, string name)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }
    }

    /// <summary>A string. A number or boolean is INVALID_PARAMETER_VALUE, as in MLflow: <c>"key": 31</c> is not the key "31".</summary>
    public static string String(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.String => Text(element, name),
        _ => throw InvalidValue(name, Display(element)),
    };

    /// <summary>An int64 given as a number or a decimal string.</summary>
    public static long Int64(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt64(out var value) => value,
        JsonValueKind.String => ParseInt64(Text(element, name), name),
        _ => throw InvalidValue(name, Display(element)),
    };

    /// <summary>A double given as a number, a numeric string or NaN/±Infinity.</summary>
    public static double Double(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => ParseDouble(Text(element, name)) ?? throw InvalidValue(name, Display(element)),
        _ => throw InvalidValue(name, Display(element)),
    };

    /// <summary>Parses "NaN", "Infinity", "-Infinity" (and their short forms) or an invariant number; null otherwise.</summary>
    public static double? ParseDouble(string text) => text switch
    {
        "NaN" or "nan" => double.NaN,
        "Infinity" or "inf" or "+Infinity" => double.PositiveInfinity,
        "-Infinity" or "-inf" => double.NegativeInfinity,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>Parses a decimal int64; INVALID_PARAMETER_VALUE naming <paramref name="name"/> otherwise.</summary>
    public static long ParseInt64(string text, string name) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw InvalidValue(name, text);

    /// <summary>Writes a double as protobuf JSON does: a number, or "NaN" / "Infinity" / "-Infinity".</summary>
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

    /// <summary>The property's value when <paramref name="element"/> is an object that has it and it is not null.</summary>
    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A required string property.</summary>
    public static string RequiredString(JsonElement element, string name) =>
        Property(element, name) is { } value ? String(value, name) : throw Missing(name);

    /// <summary>An optional string property.</summary>
    public static string? OptionalString(JsonElement element, string name) =>
        Property(element, name) is { } value ? String(value, name) : null;

    /// <summary>An optional int64 property.</summary>
    public static long? OptionalInt64(JsonElement element, string name) =>
        Property(element, name) is { } value ? Int64(value, name) : null;

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
