using System.Runtime.Intrinsics;

namespace Kiln.Learn.Trees;

/// <summary>Finds the best split of a node from its histogram (XGBoost's regularised gain; LightGBM's sorted-category
/// search for categorical features; missing values tried on both sides).</summary>
internal sealed partial class SplitFinder
{
    private readonly GrowerSettings _settings;
    private readonly FeatureBins[] _bins;
    private readonly int[] _order = new int[FeatureBins.MaxBins];
    private readonly double[] _ratio = new double[FeatureBins.MaxBins];
    private readonly double[] _leftG = new double[FeatureBins.MaxBins + 4];
    private readonly double[] _leftH = new double[FeatureBins.MaxBins + 4];
    private readonly double[] _gainRight = new double[FeatureBins.MaxBins + 4];
    private readonly double[] _gainLeft = new double[FeatureBins.MaxBins + 4];

    public SplitFinder(GrowerSettings settings, FeatureBins[] bins)
    {
        _settings = settings;
        _bins = bins;
    }

    /// <summary>The regularised score of a leaf with sums (g, h): T(g)² / (h + λ), T the L1 soft threshold.</summary>
    public double Score(double g, double h)
    {
        if (_settings.Alpha == 0)
        {
            return g * g / (h + _settings.Lambda);
        }
        var t = Threshold(g);
        return t * t / (h + _settings.Lambda);
    }

    /// <summary>The leaf value -T(g) / (h + λ), scaled by the learning rate.</summary>
    public double LeafValue(double g, double h)
    {
        var denominator = h + _settings.Lambda;
        return denominator <= 0 ? 0 : -Threshold(g) / denominator * _settings.LeafScale;
    }

    private double Threshold(double g)
    {
        var alpha = _settings.Alpha;
        return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
    }

    /// <summary>The value range of the node being searched (monotone constraints above it).</summary>
    private double _lower = double.NegativeInfinity;
    private double _upper = double.PositiveInfinity;

    /// <summary>Whether a split sending (gl, hl) left keeps its feature's monotone direction (<paramref name="sign"/>):
    /// the children's values, clamped to the node's range, ordered as the constraint says.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool Ordered(int sign, double gl, double hl, double g, double h)
    {
        if (sign == 0)
        {
            return true;
        }
        var left = Math.Clamp(LeafValue(gl, hl), _lower, _upper);
        var right = Math.Clamp(LeafValue(g - gl, h - hl), _lower, _upper);
        return sign > 0 ? left <= right : left >= right;
    }

    private int Sign(int f) => _settings.Monotone is { } monotone ? monotone[f] : 0;

    /// <summary>The packed pairs of the node being searched: how its sums unpack.</summary>
    private QuantizedGradients? _scales;

    /// <summary>The best split of a node from its packed histogram (<see cref="HistogramKernel"/> layout; sums unpacked with
    /// <paramref name="scales"/>: prefix sums are taken on the packed integers, so they are exact).</summary>
    public SplitCandidate Find(long[] hist, QuantizedGradients scales, ReadOnlySpan<int> features, double g, double h, int count,
        double lower = double.NegativeInfinity, double upper = double.PositiveInfinity)
    {
        _scales = scales;
        _lower = lower;
        _upper = upper;
        var best = SplitCandidate.None;
        var parent = Score(g, h);
        var countPerHess = h > 0 ? count / h : 0;
        foreach (var f in features)
        {
            if (_bins[f].IsCategorical)
            {
                FindCategorical(hist, f, g, h, parent, countPerHess, ref best);
            }
            else
            {
                FindNumeric(hist, f, g, h, parent, countPerHess, ref best);
            }
        }
        return Finish(best, parent);
    }

    /// <summary>Turns the best raw candidate into the node's split: none when the gain is within rounding error of zero, the
    /// numeric left-bin set, the gain halved and less γ.</summary>
    private SplitCandidate Finish(SplitCandidate best, double parent)
    {
        // a gain within rounding error of zero is no gain: a pure node (every row the same gradient) would otherwise be split
        // again and again on the last bits of its scores
        if (best.Feature >= 0 && best.Gain <= 1e-10 * Math.Abs(parent))
        {
            return SplitCandidate.None;
        }
        if (best.Feature >= 0)
        {
            if (!best.Categorical)
            {
                best.LeftBins = BinSet.Range(best.ThresholdBin, best.DefaultLeft);
            }
            best.Gain = (0.5 * best.Gain) - _settings.Gamma;
        }
        return best;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private double G(long sum) => _scales!.Gradient(sum);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private double H(long sum) => _scales!.Hessian(sum);

    private bool Allowed(double hl, double hr, double countPerHess) =>
        hl >= _settings.MinChildWeight && hr >= _settings.MinChildWeight
        && hl * countPerHess >= _settings.MinSamplesLeaf - 1e-9 && hr * countPerHess >= _settings.MinSamplesLeaf - 1e-9;

    private void FindNumeric(long[] hist, int f, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        if (_settings.Alpha == 0 && Vector256.IsHardwareAccelerated)
        {
            FindNumericVector(hist, f, g, h, parent, countPerHess, ref best);
            return;
        }
        FindNumericScalar(hist, f, g, h, parent, countPerHess, ref best);
    }

    /// <summary><see cref="FindNumericScalar"/> with the gains of four thresholds at a time: the same arithmetic in the same
    /// order per candidate (so the same gains to the bit), then a scalar pass in candidate order for the first best.</summary>
    private void FindNumericVector(long[] hist, int f, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        var binCount = _bins[f].BinCount;
        var offset = f * FeatureBins.MaxBins;
        var gm = G(hist[offset]);
        var hm = H(hist[offset]);
        var hasMissing = hm > 0;
        var n = binCount - 2;
        if (n <= 0)
        {
            return;
        }
        var leftG = _leftG;
        var leftH = _leftH;
        long sum = 0;
        for (var t = 1; t <= n; t++)
        {
            sum += hist[offset + t];
            leftG[t - 1] = G(sum);
            leftH[t - 1] = H(sum);
        }
        Gains(leftG, leftH, n, 0, 0, g, h, parent, countPerHess, _gainRight);
        if (hasMissing)
        {
            Gains(leftG, leftH, n, gm, hm, g, h, parent, countPerHess, _gainLeft);
        }
        var gainRight = _gainRight;
        var gainLeft = _gainLeft;
        var sign = Sign(f);
        for (var j = 0; j < n; j++)
        {
            if (gainRight[j] > best.Gain && Ordered(sign, leftG[j], leftH[j], g, h))
            {
                var missingLeft = !hasMissing && leftH[j] >= h - leftH[j];
                best = new SplitCandidate
                {
                    Gain = gainRight[j], Feature = f, ThresholdBin = j + 1, Categorical = false, DefaultLeft = missingLeft,
                    LeftG = leftG[j], LeftH = leftH[j],
                };
            }
            if (hasMissing && gainLeft[j] > best.Gain && Ordered(sign, leftG[j] + gm, leftH[j] + hm, g, h))
            {
                best = new SplitCandidate
                {
                    Gain = gainLeft[j], Feature = f, ThresholdBin = j + 1, Categorical = false, DefaultLeft = true,
                    LeftG = leftG[j] + gm, LeftH = leftH[j] + hm,
                };
            }
        }
    }

    /// <summary>gains[j] = the gain of sending (leftG[j] + addG, leftH[j] + addH) left, or −∞ where the split is not allowed.</summary>
    private void Gains(double[] leftG, double[] leftH, int n, double addG, double addH, double g, double h, double parent,
        double countPerHess, double[] gains)
    {
        var lambda = Vector256.Create(_settings.Lambda);
        var minWeight = Vector256.Create(_settings.MinChildWeight);
        var minSamples = Vector256.Create(_settings.MinSamplesLeaf - 1e-9);
        var perHess = Vector256.Create(countPerHess);
        var gv = Vector256.Create(g);
        var hv = Vector256.Create(h);
        var parentV = Vector256.Create(parent);
        var ag = Vector256.Create(addG);
        var ah = Vector256.Create(addH);
        var none = Vector256.Create(double.NegativeInfinity);
        for (var j = 0; j < n; j += 4)
        {
            var lg = Vector256.Create(leftG.AsSpan(j, 4));
            var lh = Vector256.Create(leftH.AsSpan(j, 4));
            if (addH != 0)
            {
                lg += ag;
                lh += ah;
            }
            var rh = hv - lh;
            var allowed = Vector256.GreaterThanOrEqual(lh, minWeight) & Vector256.GreaterThanOrEqual(rh, minWeight)
                & Vector256.GreaterThanOrEqual(lh * perHess, minSamples) & Vector256.GreaterThanOrEqual(rh * perHess, minSamples);
            var rg = gv - lg;
            var gain = ((lg * lg / (lh + lambda)) + (rg * rg / (rh + lambda))) - parentV;
            Vector256.ConditionalSelect(allowed, gain, none).CopyTo(gains.AsSpan(j, 4));
        }
    }

    private void FindNumericScalar(long[] hist, int f, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        var binCount = _bins[f].BinCount;
        var offset = f * FeatureBins.MaxBins;
        var gm = G(hist[offset]);
        var hm = H(hist[offset]);
        var hasMissing = hm > 0;
        long sum = 0;
        for (var t = 1; t < binCount - 1; t++)
        {
            sum += hist[offset + t];
            var gl = G(sum);
            var hl = H(sum);
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
    }

    private void ConsiderNumeric(ref SplitCandidate best, int f, int t, double leftG, double leftH, bool missingLeft,
        double g, double h, double parent, double countPerHess)
    {
        var rightH = h - leftH;
        if (!Allowed(leftH, rightH, countPerHess))
        {
            return;
        }
        var gain = Score(leftG, leftH) + Score(g - leftG, rightH) - parent;
        if (gain > best.Gain && Ordered(Sign(f), leftG, leftH, g, h))
        {
            best = new SplitCandidate
            {
                Gain = gain, Feature = f, ThresholdBin = t, Categorical = false, DefaultLeft = missingLeft,
                LeftG = leftG, LeftH = leftH,
            };
        }
    }

    private void FindCategorical(long[] hist, int f, double g, double h, double parent, double countPerHess, ref SplitCandidate best)
    {
        var binCount = _bins[f].BinCount;
        var offset = f * FeatureBins.MaxBins;
        // rows per unit of hessian turns a category's hessian into its (estimated) row count
        var minHessian = _settings.MinCategoryRows > 0 && countPerHess > 0 ? (_settings.MinCategoryRows - 1e-9) / countPerHess : 0;
        var used = SortCategories(hist, hist, _scales!, offset, binCount, minHessian);
        if (used < 2)
        {
            return;
        }
        var limit = Math.Min(used - 1, _settings.MaxCategoricalThreshold);
        for (var direction = 0; direction < 2; direction++)
        {
            long sum = 0;
            for (var k = 0; k < limit; k++)
            {
                var b = _order[direction == 0 ? k : used - 1 - k];
                sum += hist[offset + b];
                var gl = G(sum);
                var hl = H(sum);
                var hr = h - hl;
                if (!Allowed(hl, hr, countPerHess))
                {
                    continue;
                }
                var gain = Score(gl, hl) + Score(g - gl, hr) - parent;
                if (gain > best.Gain)
                {
                    var set = PrefixSet(k, used, direction);
                    best = new SplitCandidate
                    {
                        Gain = gain, Feature = f, ThresholdBin = 0, Categorical = true, DefaultLeft = set.Contains(0),
                        LeftBins = set, LeftG = gl, LeftH = hl,
                    };
                }
            }
        }
    }

    /// <summary>The categories of feature bins [offset, offset + binCount) with enough weight (hessian from
    /// <paramref name="weights"/>, at least <paramref name="minHessian"/>) into <see cref="_order"/>, sorted by their
    /// gradient ratio in <paramref name="ratios"/> (unpacked with <paramref name="ratioScale"/>); returns how many.</summary>
    private int SortCategories(long[] weights, long[] ratios, QuantizedGradients ratioScale, int offset, int binCount, double minHessian)
    {
        var used = 0;
        for (var b = 0; b < binCount; b++)
        {
            var hb = H(weights[offset + b]);
            if (hb > 0 && hb >= minHessian)
            {
                _order[used] = b;
                _ratio[used] = ratioScale.Gradient(ratios[offset + b]) / (hb + _settings.CategoricalSmoothing);
                used++;
            }
        }
        Array.Sort(_ratio, _order, 0, used);
        return used;
    }

    /// <summary>The first <paramref name="last"/> + 1 categories of <see cref="_order"/> from the front (direction 0) or
    /// the back (1) of its <paramref name="used"/> entries.</summary>
    private BinSet PrefixSet(int last, int used, int direction)
    {
        var set = default(BinSet);
        for (var j = 0; j <= last; j++)
        {
            set.Add(_order[direction == 0 ? j : used - 1 - j]);
        }
        return set;
    }
}
