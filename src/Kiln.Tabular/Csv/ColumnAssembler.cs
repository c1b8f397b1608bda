using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>Concatenates the chunks' buffers into final columns, settling each column's kind and merging the
/// chunks' dictionaries into one category list in ordinal order (so codes never depend on thread scheduling).</summary>
internal static class ColumnAssembler
{
    public static Column[] Assemble(ChunkParser[] chunks, ParsePlan plan, CsvReadOptions options, ParallelOptions parallel)
    {
        var offsets = new int[chunks.Length + 1];
        for (var k = 0; k < chunks.Length; k++)
        {
            offsets[k + 1] = checked(offsets[k] + chunks[k].RowCount);
        }

        var isText = new bool[plan.ColumnCount];
        var conversions = new List<(ChunkParser Chunk, int Column)>();
        for (var c = 0; c < isText.Length; c++)
        {
            isText[c] = plan.ForcedKinds[c] is ColumnKind.Categorical or ColumnKind.Text;
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
            var name = plan.Names[c];
            columns[c] = isText[c]
                ? BuildText(name, c, chunks, offsets, plan.ForcedKinds[c], options)
                : plan.ForcedKinds[c] == ColumnKind.Float32
                    ? BuildFloat32(name, c, chunks, offsets)
                    : BuildFloat64(name, c, chunks, offsets);
        });
        return columns;
    }

    private static Float64Column BuildFloat64(string name, int c, ChunkParser[] chunks, int[] offsets)
    {
        var values = GC.AllocateUninitializedArray<double>(offsets[^1]);
        for (var k = 0; k < chunks.Length; k++)
        {
            var part = chunks[k].Columns[c];
            part.Numbers.AsSpan(0, part.Count).CopyTo(values.AsSpan(offsets[k]));
        }
        return new Float64Column(name, values);
    }

    private static Float32Column BuildFloat32(string name, int c, ChunkParser[] chunks, int[] offsets)
    {
        var values = GC.AllocateUninitializedArray<float>(offsets[^1]);
        for (var k = 0; k < chunks.Length; k++)
        {
            var part = chunks[k].Columns[c];
            var source = part.Numbers.AsSpan(0, part.Count);
            var destination = values.AsSpan(offsets[k], source.Length);
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = (float)source[i];
            }
        }
        return new Float32Column(name, values);
    }

    private static Column BuildText(string name, int c, ChunkParser[] chunks, int[] offsets, ColumnKind? forced, CsvReadOptions options)
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

        var rowCount = offsets[^1];
        var categorical = forced switch
        {
            ColumnKind.Categorical => true,
            ColumnKind.Text => false,
            _ => categories.Length <= options.MaxCategoricalCardinality && categories.Length <= options.MaxCategoricalFraction * rowCount,
        };

        var codes = categorical ? GC.AllocateUninitializedArray<int>(rowCount) : null;
        var texts = categorical ? null : new string?[rowCount];
        for (var k = 0; k < chunks.Length; k++)
        {
            var map = new int[local[k].Length];
            for (var j = 0; j < map.Length; j++)
            {
                map[j] = globalCodes[local[k][j]];
            }
            var part = chunks[k].Columns[c];
            var source = part.Codes.AsSpan(0, part.Count);
            var offset = offsets[k];
            if (codes is not null)
            {
                var destination = codes.AsSpan(offset, source.Length);
                for (var i = 0; i < source.Length; i++)
                {
                    var code = source[i];
                    destination[i] = code < 0 ? CategoricalColumn.MissingCode : map[code];
                }
            }
            else
            {
                var destination = texts.AsSpan(offset, source.Length);
                for (var i = 0; i < source.Length; i++)
                {
                    var code = source[i];
                    destination[i] = code < 0 ? null : categories[map[code]];
                }
            }
        }
        return codes is not null
            ? CategoricalColumn.CreateTrusted(name, codes, categories)
            : new TextColumn(name, texts!);
    }
}
