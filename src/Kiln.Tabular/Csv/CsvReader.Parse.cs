using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

public static partial class CsvReader
{
    private const int RowSampleBytes = 64 << 10;

    private static Table Parse(byte[] data, int length, string sourceName, CsvReadOptions? options, CancellationToken cancellationToken)
    {
        options ??= CsvReadOptions.Default;
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        ReadOnlySpan<byte> span = data.AsSpan(0, length);
        var pos = span.StartsWith("\uFEFF"u8) ? 3 : 0;
        var separator = (byte)options.Separator;
        var names = ReadHeader(data, length, ref pos, separator, sourceName);
        var plan = new ParsePlan(names, ResolveColumnTypes(names, options, sourceName), separator, new MissingTokens(options.MissingValues), AverageRowBytes(span, pos));

        var starts = RowBoundaries.Find(span, pos, length, options.ChunkSize);
        var chunks = new ChunkParser[starts.Count - 1];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        if (chunks.Length == 1 || options.MaxDegreeOfParallelism == 1)
        {
            for (var k = 0; k < chunks.Length; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                chunks[k] = ChunkParser.Parse(data, starts[k], starts[k + 1], plan);
            }
        }
        else
        {
            Parallel.For(0, chunks.Length, parallel, k => chunks[k] = ChunkParser.Parse(data, starts[k], starts[k + 1], plan));
        }

        // Report the error nearest the start of the file; a chunk after a bad quote may have been split mid-row.
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
            throw ToException(firstError, data, names, plan, sourceName);
        }

        return new Table(ColumnAssembler.Assemble(chunks, plan, options, parallel));
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

    private static double AverageRowBytes(ReadOnlySpan<byte> data, int start)
    {
        var sample = data[start..Math.Min(data.Length, start + RowSampleBytes)];
        var lines = sample.Count((byte)'\n');
        return lines == 0 ? Math.Max(1, sample.Length) : (double)sample.Length / lines;
    }
}
