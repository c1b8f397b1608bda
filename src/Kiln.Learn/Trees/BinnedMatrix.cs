using Kiln.Learn.Data;

namespace Kiln.Learn.Trees;

/// <summary>Features as bytes, row-major (row r's bins at [r * FeatureCount, (r + 1) * FeatureCount)), so a histogram
/// pass reads each row's bins from one cache line.</summary>
internal sealed class BinnedMatrix
{
    private const int BlockRows = 4096;

    private BinnedMatrix(byte[] bins, int rowCount, int featureCount)
    {
        Bins = bins;
        RowCount = rowCount;
        FeatureCount = featureCount;
    }

    /// <summary>A matrix over bins already computed (row-major), for tests and tools.</summary>
    internal static BinnedMatrix FromBins(byte[] bins, int rowCount, int featureCount) => new(bins, rowCount, featureCount);

    public byte[] Bins { get; }

    public int RowCount { get; }

    public int FeatureCount { get; }

    private byte[]? _columns;

    /// <summary>The same bins feature-major (feature f's bins at [f * RowCount, (f + 1) * RowCount)), built on first use:
    /// partitioning a node reads one feature of its rows, which here is a forward scan of one small column instead of a
    /// cache miss per row.</summary>
    public byte[] Columns => _columns ??= Transpose(Environment.ProcessorCount);

    /// <summary>Builds <see cref="Columns"/> now with at most <paramref name="threads"/> threads.</summary>
    public void PrepareColumns(int threads) => _columns ??= Transpose(threads);

    private byte[] Transpose(int threads)
    {
        var rows = RowCount;
        var features = FeatureCount;
        var bins = Bins;
        var columns = GC.AllocateUninitializedArray<byte>(rows * features);
        var blocks = (rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, block =>
        {
            var start = block * BlockRows;
            var end = Math.Min(rows, start + BlockRows);
            for (var f = 0; f < features; f++)
            {
                var column = columns.AsSpan(f * rows);
                for (var r = start; r < end; r++)
                {
                    column[r] = bins[(r * features) + f];
                }
            }
        });
        return columns;
    }

    /// <summary>Chooses bins for every feature from (a deterministic sample of) the training rows.</summary>
    public static FeatureBins[] ChooseBins(FeatureView view, ModelSchema schema, int maxBins, int sampleSize, int threads)
    {
        var result = new FeatureBins[view.FeatureCount];
        var rows = view.RowCount;
        var step = Math.Max(1, rows / sampleSize);
        Parallel.For(0, result.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, f =>
        {
            var feature = schema.Features[f];
            if (feature.Kind == FeatureKind.Categorical)
            {
                result[f] = FeatureBins.ForCategorical(feature.Categories.Count);
                return;
            }
            // every step-th row, read a block at a time (the whole column is never materialised)
            var sample = new double[(rows + step - 1) / step];
            var block = new double[Math.Min(rows, BlockRows * step)];
            var taken = 0;
            for (var start = 0; start < rows; start += block.Length)
            {
                var part = block.AsSpan(0, Math.Min(block.Length, rows - start));
                view.Fill(f, start, part);
                for (var i = 0; i < part.Length; i += step)
                {
                    sample[taken++] = part[i];
                }
            }
            result[f] = FeatureBins.ForNumericInPlace(sample, maxBins);
        });
        return result;
    }

    /// <summary>Bins every row of <paramref name="view"/>.</summary>
    public static BinnedMatrix Create(FeatureView view, FeatureBins[] bins, int threads, CancellationToken cancellationToken) =>
        Create(view, bins, threads, withColumns: false, cancellationToken);

    /// <summary>Bins every row of <paramref name="view"/>; with <paramref name="withColumns"/> the feature-major copy
    /// (<see cref="Columns"/>) is written in the same pass.</summary>
    public static BinnedMatrix Create(FeatureView view, FeatureBins[] bins, int threads, bool withColumns, CancellationToken cancellationToken)
    {
        var rows = view.RowCount;
        var features = bins.Length;
        var data = GC.AllocateUninitializedArray<byte>(rows * features);
        var columns = withColumns ? GC.AllocateUninitializedArray<byte>(rows * features) : null;
        var blocks = (rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken },
            () => (Values: new double[BlockRows], Positions: new int[BlockRows]),
            (block, _, buffer) =>
            {
                var start = block * BlockRows;
                var count = Math.Min(BlockRows, rows - start);
                var values = buffer.Values.AsSpan(0, count);
                for (var f = 0; f < features; f++)
                {
                    view.Fill(f, start, values);
                    if (columns is null)
                    {
                        bins[f].BinMany(values, buffer.Positions, data.AsSpan((start * features) + f), features);
                        continue;
                    }
                    var column = columns.AsSpan((f * rows) + start, count);
                    bins[f].BinMany(values, buffer.Positions, column, 1);
                    var offset = (start * features) + f;
                    for (var i = 0; i < count; i++)
                    {
                        data[offset + (i * features)] = column[i];
                    }
                }
                return buffer;
            },
            _ => { });
        return new BinnedMatrix(data, rows, features) { _columns = columns };
    }
}
