using System.Runtime.CompilerServices;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>Turns the filled column storage into final columns: settles each column's kind and merges the chunks'
/// dictionaries into one category list in ordinal order, so codes never depend on thread scheduling.</summary>
internal static class ColumnAssembler
{
    public static Column[] Assemble(ChunkParser[] chunks, ParsePlan plan, ParallelOptions parallel)
    {
        var isText = new bool[plan.ColumnCount];
        var conversions = new List<(ChunkParser Chunk, int Column)>();
        for (var c = 0; c < isText.Length; c++)
        {
            isText[c] = plan.Sinks[c].IsForcedText;
            foreach (var chunk in chunks)
            {
                isText[c] |= chunk.Columns[c].IsText;
            }
            if (isText[c])
            {
                foreach (var chunk in chunks)
                {
                    if (!chunk.Columns[c].IsText)
                    {
                        conversions.Add((chunk, c));
                    }
                }
            }
        }
        Parallel.For(0, conversions.Count, parallel, i => conversions[i].Chunk.ConvertToText(conversions[i].Column));

        var columns = new Column[plan.ColumnCount];
        Parallel.For(0, columns.Length, parallel, c =>
        {
            var sink = plan.Sinks[c];
            columns[c] = isText[c] ? BuildText(sink, c, chunks)
                : sink.Floats is { } floats ? new Float32Column(sink.Name, floats)
                : new Float64Column(sink.Name, sink.Numbers!);
        });
        return columns;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Column BuildText(ColumnSink sink, int c, ChunkParser[] chunks)
    {
        var anyStrings = false;
        foreach (var chunk in chunks)
        {
            anyStrings |= chunk.Columns[c].Storage == ChunkStorage.Strings;
        }
        if (!anyStrings && MergeCategories(chunks, c, sink.CategoryLimit) is { } categories)
        {
            return BuildCategoricalColumn(sink, c, chunks, categories);
        }

        // Text: chunks that still hold codes move them over to the shared string storage.
        foreach (var chunk in chunks)
        {
            var column = chunk.Columns[c];
            if (column.Storage == ChunkStorage.Codes)
            {
                column.MoveCodesToStrings(chunk.RowOffset, chunk.RowOffset + chunk.RowCount);
            }
        }
        return new TextColumn(sink.Name, sink.Strings);
    }

    /// <summary>The union of the chunks' values in ordinal order, or null as soon as it exceeds <paramref name="limit"/>.
    /// Merging by decoded string also unifies distinct byte strings that decode alike (invalid UTF-8).</summary>
    private static string[]? MergeCategories(ChunkParser[] chunks, int c, long limit)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            foreach (var value in chunk.Columns[c].Dictionary!.ToStrings())
            {
                if (distinct.Add(value) && distinct.Count > limit)
                {
                    return null;
                }
            }
        }
        var categories = distinct.ToArray();
        Array.Sort(categories, StringComparer.Ordinal);
        return categories;
    }

    private static CategoricalColumn BuildCategoricalColumn(ColumnSink sink, int c, ChunkParser[] chunks, string[] categories)
    {
        var index = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (var i = 0; i < categories.Length; i++)
        {
            index[categories[i]] = i;
        }

        // Rewrite chunk-local codes into global ones, in place.
        var codes = sink.Codes;
        for (var k = 0; k < chunks.Length; k++)
        {
            var local = chunks[k].Columns[c].Dictionary!.ToStrings();
            var map = new int[local.Length];
            for (var j = 0; j < map.Length; j++)
            {
                map[j] = index[local[j]];
            }
            var segment = codes.AsSpan(chunks[k].RowOffset, chunks[k].RowCount);
            for (var i = 0; i < segment.Length; i++)
            {
                var code = segment[i];
                segment[i] = code < 0 ? CategoricalColumn.MissingCode : map[code];
            }
        }
        return CategoricalColumn.CreateTrusted(sink.Name, codes, categories);
    }
}
