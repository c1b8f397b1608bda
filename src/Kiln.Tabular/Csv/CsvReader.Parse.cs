using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

public static partial class CsvReader
{
    // Parsing runs in four passes, each parallel over chunks: find chunk boundaries outside quotes, count each chunk's
    // rows (vectorized), parse each chunk straight into the final arrays at its row offset, then settle text columns.
    // A mapped file's chunks are released (MappedFile.Release) once counted and once parsed, so the file's pages do not all
    // sit in the process's resident set at once next to the columns being built.
    private static Table ParseCore(ReadOnlyMemory<byte> data, string sourceName, CsvReadOptions? options, CancellationToken cancellationToken,
        MappedFile? mapped = null)
    {
        options ??= CsvReadOptions.Default;
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };

        var pos = data.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
        var separator = (byte)options.Separator;
        var names = ReadHeader(data.Span, ref pos, separator, sourceName);
        var forcedKinds = ResolveColumnTypes(names, options, sourceName);

        var starts = RowBoundaries.Find(data, pos, data.Length, options.ChunkSize, parallel);
        var chunkCount = starts.Length - 1;
        var rowCounts = new int[chunkCount];
        var invalidChunk = int.MaxValue;
        Parallel.For(0, chunkCount, parallel, k =>
        {
            var chunk = data.Span[starts[k]..starts[k + 1]];
            if (!System.Text.Unicode.Utf8.IsValid(chunk))
            {
                InterlockedMin(ref invalidChunk, k);
            }
            rowCounts[k] = RowCounter.Count(chunk);
            mapped?.Release(starts[k], starts[k + 1]);
        });
        if (!System.Text.Unicode.Utf8.IsValid(data.Span[..pos]))
        {
            throw InvalidUtf8(data.Span, 0, sourceName);
        }
        if (invalidChunk != int.MaxValue)
        {
            throw InvalidUtf8(data.Span, starts[invalidChunk], sourceName);
        }
        var rowOffsets = new int[chunkCount + 1];
        for (var k = 0; k < chunkCount; k++)
        {
            rowOffsets[k + 1] = checked(rowOffsets[k] + rowCounts[k]);
        }

        var rowCount = rowOffsets[^1];
        var categoryLimit = Math.Min(options.MaxCategoricalCardinality, (long)Math.Floor(options.MaxCategoricalFraction * rowCount));
        var sinks = new ColumnSink[names.Length];
        for (var c = 0; c < sinks.Length; c++)
        {
            sinks[c] = new ColumnSink(names[c], forcedKinds[c], rowCount, categoryLimit);
        }
        var plan = new ParsePlan(separator, new MissingTokens(options.MissingValues), sinks);
        var chunks = new ChunkParser[chunkCount];
        Parallel.For(0, chunkCount, parallel, k =>
        {
            chunks[k] = ChunkParser.Parse(data, starts[k], starts[k + 1], rowOffsets[k], rowCounts[k], plan);
            mapped?.Release(starts[k], starts[k + 1]);
        });

        // Report the error nearest the start; a chunk after a malformed quote may have been split mid-row.
        ChunkError? first = null;
        foreach (var chunk in chunks)
        {
            if (chunk.Error is { } error && (first is null || error.Offset < first.Value.Offset))
            {
                first = error;
            }
        }
        if (first is { } firstError)
        {
            throw ToException(firstError, data.Span, names, forcedKinds, sourceName);
        }

        return new Table(ColumnAssembler.Assemble(chunks, plan, parallel));
    }

    private static ColumnKind?[] ResolveColumnTypes(string[] names, CsvReadOptions options, string sourceName)
    {
        var kinds = new ColumnKind?[names.Length];
        foreach (var (name, kind) in options.ColumnTypes)
        {
            var index = Array.IndexOf(names, name);
            if (index < 0)
            {
                throw new ArgumentException(
                    $"CsvReadOptions.ColumnTypes names column '{name}', which is not in the header of {sourceName}. Available columns: {string.Join(", ", names)}.",
                    nameof(options));
            }
            kinds[index] = kind;
        }
        return kinds;
    }
}
