namespace Kiln.Learn.Trees;

/// <summary>The joint search: one split for several targets at once (a multiclass forest's class indicators). A
/// candidate's gain is the sum of the targets' gains at the same threshold, all targets sharing the hessian (row count);
/// for 0/1 class indicators that sum is the Gini decrease of the split. Each target has its own histogram and packing.</summary>
internal sealed partial class SplitFinder
{
    private QuantizedGradients[] _jointScales = [];
    private long[] _jointSums = [];
    private long[] _jointMissing = [];
    private long[][] _jointSingle = [];

    /// <summary>The sum over targets of their regularised leaf scores, the left sums being <see cref="_jointSums"/>
    /// (plus <see cref="_jointMissing"/> when <paramref name="withMissing"/>).</summary>
    private double JointScore(ReadOnlySpan<double> g, double hl, double h, bool withMissing)
    {
        // the targets share the denominators: Σ T(gl)² / (hl + λ) + Σ T(gr)² / (hr + λ), two divisions per candidate
        double left = 0, right = 0;
        for (var k = 0; k < g.Length; k++)
        {
            var sum = withMissing ? _jointSums[k] + _jointMissing[k] : _jointSums[k];
            var gl = _jointScales[k].Gradient(sum);
            var tl = Threshold(gl);
            var tr = Threshold(g[k] - gl);
            left += tl * tl;
            right += tr * tr;
        }
        return (left / (hl + _settings.Lambda)) + (right / (h - hl + _settings.Lambda));
    }

    private double JointParent(ReadOnlySpan<double> g, double h)
    {
        double parent = 0;
        foreach (var gk in g)
        {
            parent += Score(gk, h);
        }
        return parent;
    }

    private void BeginJoint(QuantizedGradients[] scales)
    {
        _jointScales = scales;
        _scales = scales[0];
        if (_jointSums.Length < scales.Length)
        {
            _jointSums = new long[scales.Length];
            _jointMissing = new long[scales.Length];
            _jointSingle = [.. Enumerable.Range(0, scales.Length).Select(_ => new long[FeatureBins.MaxBins])];
        }
    }

    /// <summary>The best joint split of a node from one packed histogram per target (<paramref name="hists"/>[k] packed
    /// with <paramref name="scales"/>[k]; every target's hessians are the same, so target 0's give the weights).</summary>
    public SplitCandidate FindJoint(long[][] hists, QuantizedGradients[] scales, ReadOnlySpan<int> features, ReadOnlySpan<double> g,
        double h, int count)
    {
        BeginJoint(scales);
        var best = SplitCandidate.None;
        var parent = JointParent(g, h);
        var countPerHess = h > 0 ? count / h : 0;
        foreach (var f in features)
        {
            var offset = f * FeatureBins.MaxBins;
            if (_bins[f].IsCategorical)
            {
                FindCategoricalJoint(hists, offset, f, g, h, parent, countPerHess, ref best);
            }
            else
            {
                FindNumericJoint(hists, offset, f, g, h, parent, countPerHess, ref best);
            }
        }
        return Finish(best, parent);
    }

    private void FindNumericJoint(long[][] hists, int offset, int f, ReadOnlySpan<double> g, double h, double parent,
        double countPerHess, ref SplitCandidate best)
    {
        var targets = g.Length;
        for (var k = 0; k < targets; k++)
        {
            _jointMissing[k] = hists[k][offset];
            _jointSums[k] = 0;
        }
        var hm = H(_jointMissing[0]);
        var hasMissing = hm > 0;
        for (var t = 1; t < _bins[f].BinCount - 1; t++)
        {
            for (var k = 0; k < targets; k++)
            {
                _jointSums[k] += hists[k][offset + t];
            }
            ConsiderNumericJoint(f, t, g, h, hasMissing, hm, parent, countPerHess, ref best);
        }
    }

    /// <summary>Threshold <paramref name="t"/> with the left sums in <see cref="_jointSums"/>: missing values right and left
    /// (or, with none in the node, on the heavier side), in the order of the single-target search.</summary>
    private void ConsiderNumericJoint(int f, int t, ReadOnlySpan<double> g, double h, bool hasMissing, double hm, double parent,
        double countPerHess, ref SplitCandidate best)
    {
        var hl = H(_jointSums[0]);
        if (hasMissing)
        {
            TryJoint(f, t, g, hl, h, withMissing: false, missingLeft: false, parent, countPerHess, ref best);
            TryJoint(f, t, g, hl + hm, h, withMissing: true, missingLeft: true, parent, countPerHess, ref best);
        }
        else
        {
            TryJoint(f, t, g, hl, h, withMissing: false, missingLeft: hl >= h - hl, parent, countPerHess, ref best);
        }
    }

    private void TryJoint(int f, int t, ReadOnlySpan<double> g, double hl, double h, bool withMissing, bool missingLeft,
        double parent, double countPerHess, ref SplitCandidate best)
    {
        if (!Allowed(hl, h - hl, countPerHess))
        {
            return;
        }
        var gain = JointScore(g, hl, h, withMissing) - parent;
        if (gain > best.Gain)
        {
            best = new SplitCandidate
            {
                Gain = gain, Feature = f, ThresholdBin = t, Categorical = false, DefaultLeft = missingLeft, LeftH = hl,
            };
        }
    }

    /// <summary>Categories sorted by one target's gradient ratio (as in the single-target search), once per target, and the
    /// prefixes of each order tried from both ends with the joint gain: no single order fits every target.</summary>
    private void FindCategoricalJoint(long[][] hists, int offset, int f, ReadOnlySpan<double> g, double h, double parent,
        double countPerHess, ref SplitCandidate best)
    {
        var binCount = _bins[f].BinCount;
        var minHessian = _settings.MinCategoryRows > 0 && countPerHess > 0 ? (_settings.MinCategoryRows - 1e-9) / countPerHess : 0;
        var targets = g.Length;
        for (var by = 0; by < targets; by++)
        {
            var used = SortCategories(hists[0], hists[by], _jointScales[by], offset, binCount, minHessian);
            if (used < 2)
            {
                return;
            }
            var limit = Math.Min(used - 1, _settings.MaxCategoricalThreshold);
            for (var direction = 0; direction < 2; direction++)
            {
                Array.Clear(_jointSums, 0, targets);
                for (var i = 0; i < limit; i++)
                {
                    var b = _order[direction == 0 ? i : used - 1 - i];
                    for (var k = 0; k < targets; k++)
                    {
                        _jointSums[k] += hists[k][offset + b];
                    }
                    var hl = H(_jointSums[0]);
                    if (!Allowed(hl, h - hl, countPerHess))
                    {
                        continue;
                    }
                    var gain = JointScore(g, hl, h, withMissing: false) - parent;
                    if (gain > best.Gain)
                    {
                        var set = PrefixSet(i, used, direction);
                        best = new SplitCandidate
                        {
                            Gain = gain, Feature = f, ThresholdBin = 0, Categorical = true, DefaultLeft = set.Contains(0),
                            LeftBins = set, LeftH = hl,
                        };
                    }
                }
            }
        }
    }

    /// <summary><see cref="FindJoint"/> for a node of at most <see cref="SortedMaxRows"/> rows without histograms (see
    /// <see cref="FindSorted(byte[], int, ReadOnlySpan{int}, QuantizedGradients, ReadOnlySpan{int}, double, double)"/>): the rows sorted by bin once per feature, each target's sums taken along that order.</summary>
    public SplitCandidate FindSortedJoint(byte[] bins, int featureCount, ReadOnlySpan<int> rows, QuantizedGradients[] scales,
        ReadOnlySpan<int> features, ReadOnlySpan<double> g, double h)
    {
        var state = BeginSortedJoint(scales, rows.Length, g, h);
        foreach (var f in features)
        {
            TrySortedJoint(bins, featureCount, rows, f, g, h, ref state);
        }
        return Finish(state.Best, state.Parent);
    }

    /// <summary><see cref="FindSortedJoint(byte[], int, ReadOnlySpan{int}, QuantizedGradients[], ReadOnlySpan{int}, ReadOnlySpan{double}, double)"/>
    /// over features drawn until <paramref name="want"/> of them vary within the node (see
    /// <see cref="FindSorted(byte[], int, ReadOnlySpan{int}, QuantizedGradients, FeatureDraw, int, double, double)"/>).</summary>
    public SplitCandidate FindSortedJoint(byte[] bins, int featureCount, ReadOnlySpan<int> rows, QuantizedGradients[] scales,
        FeatureDraw draw, int want, ReadOnlySpan<double> g, double h)
    {
        var state = BeginSortedJoint(scales, rows.Length, g, h);
        var tried = 0;
        while (tried < want && draw.TryNext(out var f))
        {
            tried += TrySortedJoint(bins, featureCount, rows, f, g, h, ref state) ? 1 : 0;
        }
        return Finish(state.Best, state.Parent);
    }

    private SortedSearch BeginSortedJoint(QuantizedGradients[] scales, int count, ReadOnlySpan<double> g, double h)
    {
        BeginJoint(scales);
        return new SortedSearch { Best = SplitCandidate.None, Parent = JointParent(g, h), CountPerHess = h > 0 ? count / h : 0 };
    }

    private bool TrySortedJoint(byte[] bins, int featureCount, ReadOnlySpan<int> rows, int f, ReadOnlySpan<double> g, double h,
        ref SortedSearch state)
    {
        var count = rows.Length;
        if (!SortRows(bins, featureCount, rows, _jointScales[0].Values, f))
        {
            return false;
        }
        if (!_bins[f].IsCategorical)
        {
            FindNumericSortedJoint(f, count, g, h, state.Parent, state.CountPerHess, ref state.Best);
            return true;
        }
        // each target's histogram of this feature alone, from the sorted rows (unused bins stay zero)
        var binCount = _bins[f].BinCount;
        for (var k = 0; k < g.Length; k++)
        {
            var single = _jointSingle[k];
            Array.Clear(single, 0, binCount);
            var values = _jointScales[k].Values;
            for (var i = 0; i < count; i++)
            {
                single[_keys[i]] += values[_sortedRows[i]];
            }
        }
        FindCategoricalJoint(_jointSingle, 0, f, g, h, state.Parent, state.CountPerHess, ref state.Best);
        return true;
    }

    /// <summary>The candidates of <see cref="FindNumericJoint"/> that differ (see <see cref="FindNumericSorted"/>).</summary>
    private void FindNumericSortedJoint(int f, int count, ReadOnlySpan<double> g, double h, double parent, double countPerHess,
        ref SplitCandidate best)
    {
        var targets = g.Length;
        var last = _bins[f].BinCount - 2;
        Array.Clear(_jointMissing, 0, targets);
        Array.Clear(_jointSums, 0, targets);
        var i = 0;
        while (i < count && _keys[i] == 0)
        {
            AddRow(_jointMissing, _sortedRows[i++], targets);
        }
        var hm = H(_jointMissing[0]);
        var hasMissing = hm > 0;
        if (last <= 0)
        {
            return;
        }
        if (hasMissing && (i == count || _keys[i] > 1))
        {
            ConsiderNumericJoint(f, 1, g, h, hasMissing, hm, parent, countPerHess, ref best);
        }
        while (i < count)
        {
            var key = _keys[i];
            while (i < count && _keys[i] == key)
            {
                AddRow(_jointSums, _sortedRows[i++], targets);
            }
            if (key > last)
            {
                break;
            }
            ConsiderNumericJoint(f, key, g, h, hasMissing, hm, parent, countPerHess, ref best);
        }
    }

    private void AddRow(long[] sums, int row, int targets)
    {
        for (var k = 0; k < targets; k++)
        {
            sums[k] += _jointScales[k].Values[row];
        }
    }
}
