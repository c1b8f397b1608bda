using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>Turns the filled column storage into final columns: settles each column's kind and merges the chunks'
/// dictionaries into one category list in ordinal order, so codes never depend on thread scheduling.</summary>
internal static class ColumnAssembler
{
    public static Column[] Assemble(ChunkParser[] chunks, ParsePlan plan, CsvReadOptions options, ParallelOptions parallel)
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
            columns[c] = isText[c] ? BuildText(sink, c, chunks, options)
                : sink.Floats is { } floats ? new Float32Column(sink.Name, floats)
                : new Float64Column(sink.Name, sink.Numbers!);
        });
        return columns;
    }

    private static Column BuildText(ColumnSink sink, int c, ChunkParser[] chunks, CsvReadOptions options)
    {
        // Distinct byte strings can decode to the same string (invalid UTF-8), so merge by decoded string.
        var local = new string[chunks.Length][];
        var globalCodes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < chunks.Length; k++)
        {
            local[k] = chunks[k].Columns[c].Dictionary!.ToStrings();
            foreach (var value in local[k])
            {
                globalCodes.TryAdd(value, 0);
            }
        }
        var categories = new string[globalCodes.Count];
        globalCodes.Keys.CopyTo(categories, 0);
        Array.Sort(categories, StringComparer.Ordinal);
        for (var i = 0; i < categories.Length; i++)
        {
            globalCodes[categories[i]] = i;
        }

        // Rewrite chunk-local codes into global ones, in place.
        var codes = sink.Codes;
        for (var k = 0; k < chunks.Length; k++)
        {
            var chunk = chunks[k];
            var names = local[k];
            var map = new int[names.Length];
            for (var j = 0; j < map.Length; j++)
            {
                map[j] = globalCodes[names[j]];
            }
            var segment = codes.AsSpan(chunk.RowOffset, chunk.RowCount);
            for (var i = 0; i < segment.Length; i++)
            {
                var code = segment[i];
                segment[i] = code < 0 ? CategoricalColumn.MissingCode : map[code];
            }
        }

        var categorical = sink.ForcedKind switch
        {
            ColumnKind.Categorical => true,
            ColumnKind.Text => false,
            _ => categories.Length <= options.MaxCategoricalCardinality && categories.Length <= options.MaxCategoricalFraction * sink.RowCount,
        };
        if (categorical)
        {
            return CategoricalColumn.CreateTrusted(sink.Name, codes, categories);
        }
        var texts = new string?[codes.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = codes[i] < 0 ? null : categories[codes[i]];
        }
        return new TextColumn(sink.Name, texts);
    }
}
