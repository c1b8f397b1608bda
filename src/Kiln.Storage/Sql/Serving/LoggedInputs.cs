using System.Text;
using System.Text.Json;

namespace Kiln.Storage.Sql.Serving;

/// <summary>A logged row's inputs kept as a JSON array of values (their names stored once per served model) put back
/// as the JSON object every reader of the log takes.</summary>
internal static class LoggedInputs
{
    /// <summary><paramref name="values"/> (a JSON array) as an object with <paramref name="names"/> in order; anything
    /// else (an object, or an array of another length) unchanged.</summary>
    public static string Expand(string values, JsonEncodedText[] names)
    {
        if (values.Length == 0 || values[0] != '[')
        {
            return values;
        }
        using var document = JsonDocument.Parse(values);
        if (document.RootElement.GetArrayLength() != names.Length)
        {
            return values;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(values.Length + (names.Length * 16));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var i = 0;
            foreach (var value in document.RootElement.EnumerateArray())
            {
                writer.WritePropertyName(names[i++]);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
