using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kiln.Tabular.Csv;

/// <summary>Counts the rows in a chunk before parsing it, so every chunk can write straight into the final column arrays.</summary>
/// <remarks>Counts the same rows as <see cref="ChunkParser"/>: blank lines are not rows, and a newline inside quotes does
/// not end one. Chunks without quotes or blank lines (the common case) take one vectorized pass.</remarks>
internal static class RowCounter
{
    /// <summary>The number of rows in <paramref name="chunk"/>, which starts on a row boundary.</summary>
    public static int Count(ReadOnlySpan<byte> chunk) => TryCountSimple(chunk, out var rows) ? rows : CountExact(chunk);

    /// <summary>Counts newlines when the chunk has no quotes and no blank lines; returns false otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryCountSimple(ReadOnlySpan<byte> chunk, out int rows)
    {
        rows = 0;
        if (chunk.IsEmpty)
        {
            return true;
        }
        if (chunk[0] is (byte)'\n' or (byte)'\r')
        {
            return false;
        }

        var newlines = 0;
        var i = 0;
        var previousWasNewline = false;
        if (Vector256.IsHardwareAccelerated && chunk.Length >= Vector256<byte>.Count)
        {
            ref var origin = ref MemoryMarshal.GetReference(chunk);
            var lf = Vector256.Create((byte)'\n');
            var cr = Vector256.Create((byte)'\r');
            var quote = Vector256.Create((byte)'"');
            uint carry = 0;
            for (; i <= chunk.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var block = Vector256.LoadUnsafe(ref origin, (nuint)i);
                var lfBits = Vector256.Equals(block, lf).ExtractMostSignificantBits();
                var crBits = Vector256.Equals(block, cr).ExtractMostSignificantBits();
                var quoteBits = Vector256.Equals(block, quote).ExtractMostSignificantBits();

                // A blank line is a LF followed directly by LF or CR.
                var afterLf = (lfBits << 1) | carry;
                if (quoteBits != 0 || (afterLf & (lfBits | crBits)) != 0)
                {
                    return false;
                }
                carry = lfBits >> 31;
                newlines += BitOperations.PopCount(lfBits);
            }
            previousWasNewline = carry != 0;
        }
        for (; i < chunk.Length; i++)
        {
            var b = chunk[i];
            if (b == '"' || (previousWasNewline && b is (byte)'\n' or (byte)'\r'))
            {
                return false;
            }
            previousWasNewline = b == '\n';
            if (previousWasNewline)
            {
                newlines++;
            }
        }
        rows = newlines + (chunk[^1] == '\n' ? 0 : 1);
        return true;
    }

    /// <summary>Walks the rows one by one, skipping blank lines and newlines inside quotes.</summary>
    private static int CountExact(ReadOnlySpan<byte> chunk)
    {
        var rows = 0;
        var pos = 0;
        while (pos < chunk.Length)
        {
            var first = chunk[pos];
            if (first == '\n')
            {
                pos++;
                continue;
            }
            if (first == '\r' && (pos + 1 == chunk.Length || chunk[pos + 1] == '\n'))
            {
                pos += pos + 1 == chunk.Length ? 1 : 2;
                continue;
            }
            rows++;
            var inQuotes = false;
            while (true)
            {
                var found = chunk[pos..].IndexOfAny((byte)'"', (byte)'\n');
                if (found < 0)
                {
                    return rows;
                }
                pos += found + 1;
                if (chunk[pos - 1] == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (!inQuotes)
                {
                    break;
                }
            }
        }
        return rows;
    }
}
