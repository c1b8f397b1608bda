using System.Runtime.CompilerServices;

namespace Kiln.Tabular.Csv;

/// <summary>Splits the data rows into chunks that start on row boundaries, for parallel parsing.</summary>
/// <remarks>A newline ends a row only outside quotes. The data is cut into pieces of the chunk size; the quotes in each
/// piece are counted in parallel (vectorized), which gives the quote parity at every cut, and from each cut a short
/// forward scan finds the next newline outside quotes. This agrees with <see cref="FieldReader"/> because it rejects
/// quotes inside unquoted fields, so quotes always pair up.</remarks>
internal static class RowBoundaries
{
    /// <summary>Chunk start offsets in [<paramref name="start"/>, <paramref name="end"/>), followed by <paramref name="end"/> as a sentinel.</summary>
    public static int[] Find(ReadOnlyMemory<byte> data, int start, int end, int chunkSize, ParallelOptions parallel)
    {
        var pieces = (int)Math.Max(1, ((long)end - start + chunkSize - 1) / chunkSize);
        if (pieces == 1)
        {
            return [start, end];
        }
        var quoteCounts = new int[pieces];
        Parallel.For(0, pieces, parallel, k =>
        {
            var (from, to) = Piece(start, end, chunkSize, k);
            quoteCounts[k] = CountQuotes(data.Span[from..to]);
        });

        var starts = new List<int>(pieces + 1) { start };
        var quotes = 0L;
        for (var k = 1; k < pieces; k++)
        {
            quotes += quoteCounts[k - 1];
            var cut = Piece(start, end, chunkSize, k).From;
            if (cut < starts[^1])
            {
                continue;
            }
            var boundary = NextRowStart(data.Span, cut, end, inQuotes: (quotes & 1) != 0);
            if (boundary < 0)
            {
                break;
            }
            if (boundary > starts[^1] && boundary < end)
            {
                starts.Add(boundary);
            }
        }
        starts.Add(end);
        return [.. starts];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountQuotes(ReadOnlySpan<byte> piece) => piece.Count((byte)'"');

    private static (int From, int To) Piece(int start, int end, int chunkSize, int k)
    {
        var from = start + ((long)k * chunkSize);
        return ((int)from, (int)Math.Min(end, from + chunkSize));
    }

    private static int NextRowStart(ReadOnlySpan<byte> data, int pos, int end, bool inQuotes)
    {
        while (pos < end)
        {
            var found = data[pos..end].IndexOfAny((byte)'"', (byte)'\n');
            if (found < 0)
            {
                return -1;
            }
            pos += found;
            if (data[pos] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes)
            {
                return pos + 1;
            }
            pos++;
        }
        return -1;
    }
}
