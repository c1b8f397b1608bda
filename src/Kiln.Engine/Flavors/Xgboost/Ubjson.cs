using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Kiln.Learn;

namespace Kiln.Engine.Flavors.Xgboost;

/// <summary>
/// Reads Universal Binary JSON (what XGBoost's <c>save_model("….ubj")</c> writes) into a <see cref="JsonDocument"/>, so
/// the JSON and UBJSON model files go through one reader. Supports every UBJSON draft-12 value type and the optimised
/// containers (<c>$</c> type, <c>#</c> count) XGBoost uses for its arrays; numbers are big-endian.
/// </summary>
public static class Ubjson
{
    private const int MaxDepth = 64;

    /// <summary>Converts UBJSON bytes to a JSON document.</summary>
    /// <exception cref="LearnException">The bytes are not valid UBJSON; the message gives the offset.</exception>
    public static JsonDocument Parse(ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length * 2);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            var reader = new Reader(data);
            reader.Value(writer, reader.Marker(), 0);
        }
        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public byte Marker()
        {
            byte marker;
            do
            {
                marker = Take(1)[0];
            }
            while (marker == (byte)'N'); // no-op
            return marker;
        }

        public void Value(Utf8JsonWriter json, byte marker, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Bad("nesting is deeper than 64 levels");
            }
            switch (marker)
            {
                case (byte)'Z': json.WriteNullValue(); break;
                case (byte)'T': json.WriteBooleanValue(true); break;
                case (byte)'F': json.WriteBooleanValue(false); break;
                case (byte)'i': json.WriteNumberValue((sbyte)Take(1)[0]); break;
                case (byte)'U': json.WriteNumberValue(Take(1)[0]); break;
                case (byte)'I': json.WriteNumberValue(BinaryPrimitives.ReadInt16BigEndian(Take(2))); break;
                case (byte)'l': json.WriteNumberValue(BinaryPrimitives.ReadInt32BigEndian(Take(4))); break;
                case (byte)'L': json.WriteNumberValue(BinaryPrimitives.ReadInt64BigEndian(Take(8))); break;
                case (byte)'d': WriteFloat(json, BinaryPrimitives.ReadSingleBigEndian(Take(4))); break;
                case (byte)'D': WriteFloat(json, BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case (byte)'C': json.WriteStringValue(Encoding.UTF8.GetString(Take(1))); break;
                case (byte)'S': json.WriteStringValue(Encoding.UTF8.GetString(Take(Length()))); break;
                case (byte)'H': json.WriteRawValue(Encoding.ASCII.GetString(Take(Length())), skipInputValidation: false); break;
                case (byte)'[': Array(json, depth); break;
                case (byte)'{': Object(json, depth); break;
                default: throw Bad($"unknown type marker '{(char)marker}'");
            }
        }

        private static void WriteFloat(Utf8JsonWriter json, double value)
        {
            if (double.IsFinite(value))
            {
                json.WriteNumberValue(value);
            }
            else
            {
                json.WriteNullValue(); // JSON has no NaN or infinity; XGBoost writes neither in a model
            }
        }

        private void Array(Utf8JsonWriter json, int depth)
        {
            json.WriteStartArray();
            var (type, count) = Container();
            if (count >= 0)
            {
                for (var i = 0; i < count; i++)
                {
                    Value(json, type ?? Marker(), depth + 1);
                }
            }
            else
            {
                for (var marker = Marker(); marker != (byte)']'; marker = Marker())
                {
                    Value(json, marker, depth + 1);
                }
            }
            json.WriteEndArray();
        }

        private void Object(Utf8JsonWriter json, int depth)
        {
            json.WriteStartObject();
            var (type, count) = Container();
            if (count >= 0)
            {
                for (var i = 0; i < count; i++)
                {
                    json.WritePropertyName(Encoding.UTF8.GetString(Take(Length())));
                    Value(json, type ?? Marker(), depth + 1);
                }
            }
            else
            {
                while (Peek() != (byte)'}')
                {
                    json.WritePropertyName(Encoding.UTF8.GetString(Take(Length())));
                    Value(json, Marker(), depth + 1);
                }
                _at++;
            }
            json.WriteEndObject();
        }

        /// <summary>The optimised container header: <c>$</c>type (needs a count) and <c>#</c>count; count -1 when absent.</summary>
        private (byte? Type, long Count) Container()
        {
            byte? type = null;
            if (Peek() == (byte)'$')
            {
                _at++;
                type = Take(1)[0];
                if (Peek() != (byte)'#')
                {
                    throw Bad("a typed container ($) must give its count (#)");
                }
            }
            if (Peek() == (byte)'#')
            {
                _at++;
                var count = Integer(Take(1)[0]);
                if (count < 0 || count > _data.Length)
                {
                    throw Bad($"container count {count} is impossible for {_data.Length} bytes");
                }
                return (type, count);
            }
            return (null, -1);
        }

        private int Length()
        {
            var length = Integer(Marker());
            if (length < 0 || length > _data.Length - _at)
            {
                throw Bad($"length {length} runs past the end");
            }
            return (int)length;
        }

        private long Integer(byte marker) => marker switch
        {
            (byte)'i' => (sbyte)Take(1)[0],
            (byte)'U' => Take(1)[0],
            (byte)'I' => BinaryPrimitives.ReadInt16BigEndian(Take(2)),
            (byte)'l' => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
            (byte)'L' => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
            _ => throw Bad($"expected an integer length, found '{(char)marker}'"),
        };

        private byte Peek() => _at < _data.Length ? _data[_at] : throw Bad("the data ends early");

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _at)
            {
                throw Bad("the data ends early");
            }
            var span = _data.Slice(_at, count);
            _at += count;
            return span;
        }

        private readonly LearnException Bad(string what) => new($"Not a valid UBJSON model file: {what} (at byte {_at}).");
    }
}
