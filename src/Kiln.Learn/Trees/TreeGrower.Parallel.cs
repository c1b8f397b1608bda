namespace Kiln.Learn.Trees;

internal sealed partial class TreeGrower
{
    private void BuildHistogram(Pending node, int[] features, bool allFeatures = false) =>
        BuildHistogram(node.Hist!, node.Begin, node.Count, features, _packed.Values, allFeatures);

    /// <summary>The histogram of rows [begin, begin + count) of the row array over <paramref name="features"/>, from the
    /// packed words <paramref name="values"/>; on all threads for large nodes.</summary>
    private void BuildHistogram(long[] hist, int begin, int count, int[] features, long[] values, bool allFeatures = false)
    {
        allFeatures |= features.Length == _matrix.FeatureCount;
        var chunks = count >= ParallelHistogramRows ? _threads : 1;
        if (chunks == 1)
        {
            HistogramKernel.Clear(hist, features, allFeatures);
            BuildInto(hist, _rows.AsSpan(begin, count), features, values, allFeatures);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var target = c == 0 ? hist : _threadHists[c] ??= new long[hist.Length];
            HistogramKernel.Clear(target, features, allFeatures);
            var start = (int)((long)count * c / chunks);
            var end = (int)((long)count * (c + 1) / chunks);
            BuildInto(target, _rows.AsSpan(begin + start, end - start), features, values, allFeatures);
        });
        for (var c = 1; c < chunks; c++)
        {
            HistogramKernel.Add(hist, _threadHists[c], features);
        }
    }

    private void BuildInto(long[] hist, ReadOnlySpan<int> rows, int[] features, long[] values, bool allFeatures)
    {
        if (allFeatures && rows.Length > 0 && rows[^1] - rows[0] == rows.Length - 1 && _rowsConsecutive)
        {
            // a slice of a consecutive run (the root of a tree over all rows): scanned without its indices
            HistogramKernel.BuildRange(_matrix.Bins, _matrix.FeatureCount, rows[0], rows.Length, values, hist);
        }
        else if (allFeatures)
        {
            HistogramKernel.Build(_matrix.Bins, _matrix.FeatureCount, rows, values, hist);
        }
        else
        {
            HistogramKernel.Build(_matrix.Bins, _matrix.FeatureCount, rows, values, features, hist);
        }
    }

    /// <summary>Moves the rows of [begin, end) that go left to the front (order kept on both sides); returns where the right side starts.</summary>
    private int Partition(int begin, int end, int feature, BinSet leftBins)
    {
        var none = default(NoGap);
        return Partition(begin, end, feature, leftBins, ref none);
    }

    /// <summary><see cref="Partition(int, int, int, BinSet)"/>, showing every row's bin to <paramref name="gap"/> (a struct:
    /// the loop is compiled for each kind, so a partition that tracks nothing pays nothing).</summary>
    private int Partition<TGap>(int begin, int end, int feature, BinSet leftBins, ref TGap gap)
        where TGap : struct, IBinWatcher
    {
        var count = end - begin;
        var chunks = count >= ParallelPartitionRows ? _threads : 1;
        if (chunks == 1)
        {
            var (l, _) = PartitionChunk(begin, end, feature, leftBins, _rows, ref gap);
            _scratchRight.AsSpan(begin, count - l).CopyTo(_rows.AsSpan(begin + l));
            return begin + l;
        }
        if (gap.Wanted)
        {
            // the parallel chunks do not watch: a separate pass (only a forest grown on several threads per tree gets here)
            for (var i = begin; i < end; i++)
            {
                gap.See(_matrix.Columns[((long)feature * _matrix.RowCount) + _rows[i]]);
            }
        }
        // each chunk splits its rows into scratch (lefts to _scratchLeft, rights to _scratchRight at the chunk's start);
        // then each chunk copies both runs to their final places, all chunks at once (the destinations do not overlap)
        var lefts = new int[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var start = begin + (int)((long)count * c / chunks);
            var stop = begin + (int)((long)count * (c + 1) / chunks);
            var none = default(NoGap);
            lefts[c] = PartitionChunk(start, stop, feature, leftBins, _scratchLeft, ref none).Left;
        });
        var leftStarts = new int[chunks];
        var rightStarts = new int[chunks];
        int leftAt = begin, rightAt = begin;
        foreach (var l in lefts)
        {
            rightAt += l;
        }
        var leftTotal = rightAt - begin;
        for (var c = 0; c < chunks; c++)
        {
            var start = begin + (int)((long)count * c / chunks);
            var stop = begin + (int)((long)count * (c + 1) / chunks);
            leftStarts[c] = leftAt;
            rightStarts[c] = rightAt;
            leftAt += lefts[c];
            rightAt += stop - start - lefts[c];
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var start = begin + (int)((long)count * c / chunks);
            var stop = begin + (int)((long)count * (c + 1) / chunks);
            _scratchLeft.AsSpan(start, lefts[c]).CopyTo(_rows.AsSpan(leftStarts[c]));
            _scratchRight.AsSpan(start, stop - start - lefts[c]).CopyTo(_rows.AsSpan(rightStarts[c]));
        });
        return begin + leftTotal;
    }

    /// <summary>For rows [begin, end): <paramref name="leafOf"/>[row] = <paramref name="left"/> if its bin of
    /// <paramref name="feature"/> is in <paramref name="leftBins"/>, else <paramref name="right"/> (on all threads for
    /// large nodes; each row is written once, so chunks do not meet).</summary>
    private void AssignLeaves(int begin, int end, int feature, BinSet leftBins, ushort left, ushort right, ushort[] leafOf)
    {
        var count = end - begin;
        var chunks = count >= ParallelPartitionRows ? _threads : 1;
        if (chunks == 1)
        {
            AssignChunk(begin, end, feature, leftBins, left, right, leafOf);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
            AssignChunk(begin + (int)((long)count * c / chunks), begin + (int)((long)count * (c + 1) / chunks), feature, leftBins,
                left, right, leafOf));
    }

    private unsafe void AssignChunk(int start, int stop, int feature, BinSet leftBins, ushort left, ushort right, ushort[] leafOf)
    {
        // the leaf per bin, then one table lookup per row
        var leafOfBin = stackalloc ushort[FeatureBins.MaxBins];
        for (var b = 0; b < FeatureBins.MaxBins; b++)
        {
            leafOfBin[b] = leftBins.Contains(b) ? left : right;
        }
        fixed (byte* columnsBase = _matrix.Columns)
        fixed (int* rows = _rows)
        fixed (ushort* leaves = leafOf)
        {
            var column = columnsBase + ((long)feature * _matrix.RowCount);
            var prefetchEnd = stop - PartitionPrefetch;
            for (var i = start; i < stop; i++)
            {
                if (System.Runtime.Intrinsics.X86.Sse.IsSupported && i < prefetchEnd)
                {
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(column + rows[i + PartitionPrefetch]);
                }
                var r = rows[i];
                leaves[r] = leafOfBin[column[r]];
            }
        }
    }

    private const int PartitionPrefetch = 32;

    /// <summary>Splits rows [start, stop): lefts go to <paramref name="leftTarget"/> from start on (may be the row array itself:
    /// a left is written at or behind the row being read), rights to the right scratch from start on.</summary>
    private unsafe (int Left, int Right) PartitionChunk<TGap>(int start, int stop, int feature, BinSet leftBins, int[] leftTarget,
        ref TGap gap)
        where TGap : struct, IBinWatcher
    {
        // a 256-entry table of "goes left" per bin makes the loop branch-free for numeric and categorical splits alike;
        // each row is written to both sides and only the side it belongs to advances
        var goesLeft = stackalloc byte[FeatureBins.MaxBins];
        for (var b = 0; b < FeatureBins.MaxBins; b++)
        {
            goesLeft[b] = leftBins.Contains(b) ? (byte)1 : (byte)0;
        }
        fixed (byte* columnsBase = _matrix.Columns)
        fixed (int* rows = _rows, left = leftTarget, right = _scratchRight)
        {
            var column = columnsBase + ((long)feature * _matrix.RowCount);
            int nl = start, nr = start;
            var prefetchEnd = stop - PartitionPrefetch;
            for (var i = start; i < stop; i++)
            {
                if (System.Runtime.Intrinsics.X86.Sse.IsSupported && i < prefetchEnd)
                {
                    // rows of a deep node are far apart in the matrix: fetch a later row's bin while this one is handled
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(column + rows[i + PartitionPrefetch]);
                }
                var r = rows[i];
                int bin = column[r];
                gap.See(bin);
                int go = goesLeft[bin];
                left[nl] = r;
                right[nr] = r;
                nl += go;
                nr += go ^ 1;
            }
            return (nl - start, nr - start);
        }
    }
}
