namespace Kiln.Tabular.Csv;

/// <summary>Splits the data rows into chunks that start on row boundaries, for parallel parsing.</summary>
/// <remarks>A newline ends a row only outside quotes. Quote parity at a candidate split point comes from a vectorized
/// count of the quotes since the previous boundary; from there a short forward scan finds the next newline outside quotes.
/// This agrees with <see cref="FieldReader"/> because it rejects quotes inside unquoted fields, so quotes always pair up.</remarks>
internal static class RowBoundaries
{
    /// <summary>Chunk start offsets from <paramref name="start"/>, followed by <paramref name="end"/> as a sentinel.</summary>
    public static List<int> Find(ReadOnlySpan<byte> data, int start, int end, int chunkSize)
    {
        var starts = new List<int> { start };
        var current = start;
        while ((long)current + chunkSize < end)
        {
            var candidate = current + chunkSize;
            var inQuotes = (data[current..candidate].Count((byte)'"') & 1) != 0;
            var boundary = NextRowStart(data, candidate, end, inQuotes);
            if (boundary < 0 || boundary >= end)
            {
                break;
            }
            starts.Add(boundary);
            current = boundary;
        }
        starts.Add(end);
        return starts;
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
