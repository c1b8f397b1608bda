using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving;

/// <summary>
/// An input tensor whose elements arrive as bytes: gRPC's <c>raw_input_contents</c> and the REST binary tensor data
/// extension share the layout (row-major, little-endian, each element in its datatype's native size; BOOL one byte;
/// a BYTES element a 4-byte little-endian length and its bytes). An FP64 tensor becomes its column in one copy.
/// </summary>
/// <param name="name">The tensor's name.</param>
/// <param name="datatype">The protocol's datatype.</param>
/// <param name="shape">The tensor's shape, or null.</param>
/// <param name="data">The tensor's bytes.</param>
/// <param name="source">Where the bytes came from, as errors name it (<c>raw_input_contents</c>, <c>binary data</c>).</param>
internal sealed class OipRawInput(string name, string datatype, IReadOnlyList<long>? shape, ReadOnlyMemory<byte> data, string source)
    : OipInput(name, datatype, shape)
{
    private double[]? _numbers;
    private string?[]? _texts;

    /// <inheritdoc />
    public override int Count => IsBytes ? Texts.Length : NumbersOf.Length;

    /// <inheritdoc />
    public override double Number(int index) => IsBytes
        ? throw KilnException.Invalid($"Input '{Name}' is BYTES, and the model reads '{Name}' as a number: send it as FP64 (or FP32, INT*, UINT*, BOOL).")
        : NumbersOf[index];

    /// <inheritdoc />
    public override double[] Numbers() => IsBytes ? base.Numbers() : NumbersOf;

    /// <inheritdoc />
    public override string? Text(int index) => IsBytes ? Texts[index] : NumberText(NumbersOf[index]);

    private bool IsBytes => Datatype == "BYTES";

    private double[] NumbersOf => _numbers ??= Decode(data.Span);

    private string?[] Texts => _texts ??= DecodeBytes(data.Span);

    /// <summary>The size in bytes of one element of a numeric <paramref name="datatype"/>, or 0 for BYTES or an unknown one.</summary>
    public static int ElementSize(string datatype) => datatype switch
    {
        "BOOL" or "INT8" or "UINT8" => 1,
        "INT16" or "UINT16" or "FP16" or "BF16" => 2,
        "INT32" or "UINT32" or "FP32" => 4,
        "INT64" or "UINT64" or "FP64" => 8,
        _ => 0,
    };

    private double[] Decode(ReadOnlySpan<byte> raw)
    {
        var size = ElementSize(Datatype);
        if (size == 0)
        {
            throw Datatype.Length == 0
                ? KilnException.Invalid($"Input '{Name}' has no datatype: give one of {string.Join(", ", OipTensors.Datatypes)}.")
                : KilnException.Invalid($"Input '{Name}' has datatype '{Datatype}', which the protocol does not define: use one of {string.Join(", ", OipTensors.Datatypes)}.");
        }
        if (raw.Length % size != 0)
        {
            throw KilnException.Invalid($"Input '{Name}': its {source} has {raw.Length} bytes, not a whole number of {Datatype} elements of {size} bytes.");
        }
        if (Datatype == "FP64" && BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, double>(raw).ToArray(); // the wire's layout is the column's
        }
        var values = new double[raw.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var b = raw.Slice(i * size, size);
            values[i] = Datatype switch
            {
                "BOOL" => b[0] != 0 ? 1.0 : 0.0,
                "INT8" => (sbyte)b[0],
                "UINT8" => b[0],
                "INT16" => BinaryPrimitives.ReadInt16LittleEndian(b),
                "UINT16" => BinaryPrimitives.ReadUInt16LittleEndian(b),
                "FP16" => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                "INT32" => BinaryPrimitives.ReadInt32LittleEndian(b),
                "UINT32" => BinaryPrimitives.ReadUInt32LittleEndian(b),
                "FP32" => BinaryPrimitives.ReadSingleLittleEndian(b),
                "INT64" => BinaryPrimitives.ReadInt64LittleEndian(b),
                "UINT64" => BinaryPrimitives.ReadUInt64LittleEndian(b),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(b),
            };
        }
        return values;
    }

    private string?[] DecodeBytes(ReadOnlySpan<byte> raw)
    {
        var values = new List<string?>();
        while (raw.Length > 0)
        {
            var length = raw.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : uint.MaxValue;
            if (length > raw.Length - 4)
            {
                throw KilnException.Invalid(
                    $"Input '{Name}': BYTES element {values.Count} of its {source} is cut short (each element is a 4-byte little-endian length, then that many bytes).");
            }
            values.Add(System.Text.Encoding.UTF8.GetString(raw.Slice(4, (int)length)));
            raw = raw[(4 + (int)length)..];
        }
        return [.. values];
    }
}
