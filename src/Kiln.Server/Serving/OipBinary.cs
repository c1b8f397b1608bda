using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln.Server.Serving;

/// <summary>Output tensors as the binary tensor data extension sends them: FP64 elements little-endian, each BYTES element
/// a 4-byte little-endian length and its UTF-8 bytes.</summary>
public static class OipBinary
{
    /// <summary>Appends <paramref name="output"/>'s elements to <paramref name="to"/>; returns how many bytes they took.</summary>
    public static int Write(OipOutput output, IBufferWriter<byte> to)
    {
        if (output.Numbers is { } numbers)
        {
            var size = numbers.Length * sizeof(double);
            var span = to.GetSpan(size)[..size];
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(numbers.AsSpan()).CopyTo(span);
            }
            else
            {
                for (var i = 0; i < numbers.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(i * sizeof(double))..], numbers[i]);
                }
            }
            to.Advance(size);
            return size;
        }
        var total = 0;
        foreach (var text in output.Texts!)
        {
            var length = Encoding.UTF8.GetByteCount(text);
            var span = to.GetSpan(4 + length);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
            Encoding.UTF8.GetBytes(text, span[4..]);
            to.Advance(4 + length);
            total += 4 + length;
        }
        return total;
    }
}
