namespace Kiln.Learn.Trees;

internal sealed partial class SplitFinder
{
    /// <summary>Most rows a node may have for <see cref="FindSorted(byte[], int, ReadOnlySpan{int}, QuantizedGradients, ReadOnlySpan{int}, double, double)"/>.</summary>
    public const int SortedMaxRows = 64;

    /// <summary>Nodes up to this size sort by insertion; larger ones by two counting passes over the bins' nibbles.</summary>
    private const int InsertionSortRows = 16;

    private readonly byte[] _keys = new byte[SortedMaxRows];
    private readonly long[] _words = new long[SortedMaxRows];
    private readonly byte[] _keysByLow = new byte[SortedMaxRows];
    private readonly long[] _wordsByLow = new long[SortedMaxRows];
    private readonly int[] _sortedRows = new int[SortedMaxRows];
    private readonly int[] _rowsByLow = new int[SortedMaxRows];
    private long[]? _single;

    /// <summary><see cref="Find"/> for a node of at most <see cref="SortedMaxRows"/> rows without a histogram: per feature the
    /// rows' bins are sorted and only the bins the node uses are tried. A histogram costs a 256-bin scan per feature
    /// whatever the node's size, which dominates deep trees (a forest grows most of its nodes with a few rows). The sums
    /// are the same exact integer sums as a histogram's and candidates are tried in the same order, so the split is
    /// the one <see cref="Find"/> would choose.</summary>
    /// <param name="bins">The row-major bins (<see cref="BinnedMatrix.Bins"/>).</param>
    /// <param name="featureCount">Bins per row.</param>
    /// <param name="rows">The node's rows.</param>
    /// <param name="scales">The tree's packed pairs and their scales.</param>
    /// <param name="features">Features to try, in order.</param>
    /// <param name="g">The node's gradient sum.</param>
    /// <param name="h">The node's hessian sum.</param>
    public SplitCandidate FindSorted(byte[] bins, int featureCount, ReadOnlySpan<int> rows, QuantizedGradients scales,
        ReadOnlySpan<int> features, double g, double h)
    {
        var state = BeginSorted(scales, rows.Length, g, h);
        foreach (var f in features)
        {
            TrySorted(bins, featureCount, rows, f, g, h, ref state);
        }
        return Finish(state.Best, state.Parent);
    }

    /// <summary><see cref="FindSorted(byte[], int, ReadOnlySpan{int}, QuantizedGradients, ReadOnlySpan{int}, double, double)"/>
    /// over features drawn from <paramref name="draw"/> until <paramref name="want"/> of them vary within the node: a
    /// feature with one bin among the node's rows cannot split it and does not count (scikit-learn's rule).</summary>
    public SplitCandidate FindSorted(byte[] bins, int featureCount, ReadOnlySpan<int> rows, QuantizedGradients scales,
        FeatureDraw draw, int want, double g, double h)
    {
        var state = BeginSorted(scales, rows.Length, g, h);
        var tried = 0;
        while (tried < want && draw.TryNext(out var f))
        {
            tried += TrySorted(bins, featureCount, rows, f, g, h, ref state) ? 1 : 0;
        }
        return Finish(state.Best, state.Parent);
    }

    private struct SortedSearch
    {
        public SplitCandidate Best;
        public double Parent;
        public double CountPerHess;
    }

    private SortedSearch BeginSorted(QuantizedGradients scales, int count, double g, double h)
    {
        _scales = scales;
        return new SortedSearch { Best = SplitCandidate.None, Parent = Score(g, h), CountPerHess = h > 0 ? count / h : 0 };
    }

    /// <summary>Sorts the node's rows by their bins of <paramref name="f"/> (<see cref="_keys"/>, <see cref="_words"/> and
    /// <see cref="_sortedRows"/>); false when they all share one bin.</summary>
    private bool SortRows(byte[] bins, int featureCount, ReadOnlySpan<int> rows, long[] words, int f)
    {
        if (rows.Length <= InsertionSortRows)
        {
            InsertionSort(bins, featureCount, rows, words, f);
        }
        else
        {
            RadixSort(bins, featureCount, rows, words, f);
        }
        return rows.Length > 0 && _keys[0] != _keys[rows.Length - 1];
    }

    /// <summary>Tries feature <paramref name="f"/>; false (and nothing tried) when it is constant in the node.</summary>
    private bool TrySorted(byte[] bins, int featureCount, ReadOnlySpan<int> rows, int f, double g, double h, ref SortedSearch state)
    {
        if (!SortRows(bins, featureCount, rows, _scales!.Values, f))
        {
            return false;
        }
        if (_bins[f].IsCategorical)
        {
            FindCategoricalSorted(f, rows.Length, g, h, state.Parent, state.CountPerHess, ref state.Best);
        }
        else
        {
            FindNumericSorted(f, rows.Length, g, h, state.Parent, state.CountPerHess, ref state.Best);
        }
        return true;
    }

    /// <summary>The rows' (bin of <paramref name="f"/>, word) pairs into <see cref="_keys"/>/<see cref="_words"/> in bin order,
    /// the rows themselves into <see cref="_sortedRows"/>: insertion (a few rows).</summary>
    private void InsertionSort(byte[] bins, int featureCount, ReadOnlySpan<int> rows, long[] words, int f)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            var key = bins[(r * featureCount) + f];
            var word = words[r];
            var j = i;
            while (j > 0 && _keys[j - 1] > key)
            {
                _keys[j] = _keys[j - 1];
                _words[j] = _words[j - 1];
                _sortedRows[j] = _sortedRows[j - 1];
                j--;
            }
            _keys[j] = key;
            _words[j] = word;
            _sortedRows[j] = r;
        }
    }

    /// <summary>As <see cref="InsertionSort"/>, by a stable counting sort on the low nibble and then the high one: linear in
    /// the rows where insertion is quadratic.</summary>
    private void RadixSort(byte[] bins, int featureCount, ReadOnlySpan<int> rows, long[] words, int f)
    {
        var count = rows.Length;
        Span<int> low = stackalloc int[16];
        Span<int> high = stackalloc int[16];
        for (var i = 0; i < count; i++)
        {
            var key = bins[(rows[i] * featureCount) + f];
            low[key & 15]++;
            high[key >> 4]++;
        }
        int lowAt = 0, highAt = 0;
        for (var b = 0; b < 16; b++)
        {
            (low[b], lowAt) = (lowAt, lowAt + low[b]);
            (high[b], highAt) = (highAt, highAt + high[b]);
        }
        for (var i = 0; i < count; i++)
        {
            var r = rows[i];
            var key = bins[(r * featureCount) + f];
            var at = low[key & 15]++;
            _keysByLow[at] = key;
            _wordsByLow[at] = words[r];
            _rowsByLow[at] = r;
        }
        for (var i = 0; i < count; i++)
        {
            var key = _keysByLow[i];
            var at = high[key >> 4]++;
            _keys[at] = key;
            _words[at] = _wordsByLow[i];
            _sortedRows[at] = _rowsByLow[i];
        }
    }

    /// <summary>The candidates of <see cref="FindNumericScalar"/> that differ: a threshold between two bins the node uses
    /// splits the rows as the threshold at the lower bin does, so only thresholds at used bins (and at bin 1, for
    /// "missing values alone on the left") are tried.</summary>
    private void FindNumericSorted(int f, int count, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        var last = _bins[f].BinCount - 2;
        var i = 0;
        long missing = 0;
        while (i < count && _keys[i] == 0)
        {
            missing += _words[i++];
        }
        var gm = G(missing);
        var hm = H(missing);
        var hasMissing = hm > 0;
        if (last <= 0)
        {
            return;
        }
        long sum = 0;
        if (hasMissing && (i == count || _keys[i] > 1))
        {
            // threshold at bin 1 with no row in it: the left side is empty, or the missing rows alone
            ConsiderBoth(ref best, f, 1, 0, 0, hasMissing, gm, hm, g, h, parent, countPerHess);
        }
        while (i < count)
        {
            var key = _keys[i];
            while (i < count && _keys[i] == key)
            {
                sum += _words[i++];
            }
            if (key > last)
            {
                break;
            }
            ConsiderBoth(ref best, f, key, G(sum), H(sum), hasMissing, gm, hm, g, h, parent, countPerHess);
        }
    }

    /// <summary>Threshold <paramref name="t"/> with missing values right and left (or, with none in the node, on the heavier side).</summary>
    private void ConsiderBoth(ref SplitCandidate best, int f, int t, double gl, double hl, bool hasMissing, double gm, double hm,
        double g, double h, double parent, double countPerHess)
    {
        if (hasMissing)
        {
            ConsiderNumeric(ref best, f, t, gl, hl, false, g, h, parent, countPerHess);
            ConsiderNumeric(ref best, f, t, gl + gm, hl + hm, true, g, h, parent, countPerHess);
        }
        else
        {
            ConsiderNumeric(ref best, f, t, gl, hl, hl >= h - hl, g, h, parent, countPerHess);
        }
    }

    /// <summary>Categorical features take the histogram search on a histogram of just this feature, filled from the sorted
    /// pairs (bins the node does not use stay zero, as in a full histogram).</summary>
    private void FindCategoricalSorted(int f, int count, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        var hist = _single ??= new long[_bins.Length * FeatureBins.MaxBins];
        var slice = hist.AsSpan(f * FeatureBins.MaxBins, FeatureBins.MaxBins);
        slice.Clear();
        for (var i = 0; i < count; i++)
        {
            slice[_keys[i]] += _words[i];
        }
        FindCategorical(hist, f, g, h, parent, countPerHess, ref best);
    }
}
