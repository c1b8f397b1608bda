using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

/// <summary>The joint split search of several targets (a multiclass forest's class indicators).</summary>
public sealed class JointSplitTests
{
    private const int Features = 5;
    private const int Rows = 600;
    private const int Classes = 3;

    private static readonly FeatureBins[] Bins =
    [
        new(false, [.. Enumerable.Range(0, 60).Select(i => (double)i)], 62),
        new(false, [0.5, 1.5, 2.5], 5),
        FeatureBins.ForCategorical(7),
        new(false, [.. Enumerable.Range(0, 20).Select(i => (double)i)], 22),
        FeatureBins.ForCategorical(12),
    ];

    private static readonly int[] FeatureOrder = [3, 0, 2, 1, 4];

    /// <summary>Random bins (some missing) and a class per row that depends on features 0 and 2, with noise.</summary>
    private static (byte[] Matrix, int[] Labels) Data(int seed)
    {
        var rng = new Random(seed);
        var matrix = new byte[Rows * Features];
        var labels = new int[Rows];
        for (var r = 0; r < Rows; r++)
        {
            for (var f = 0; f < Features; f++)
            {
                matrix[(r * Features) + f] = (byte)(rng.Next(12) == 0 ? 0 : 1 + rng.Next(Bins[f].BinCount - 1));
            }
            var signal = (matrix[r * Features] > 30 ? 1 : 0) + (matrix[(r * Features) + 2] % 2);
            labels[r] = rng.Next(5) == 0 ? rng.Next(Classes) : signal;
        }
        return (matrix, labels);
    }

    /// <summary>One packing per class of the forest's gradients (mean − indicator, hessian 1), rounded to nearest.</summary>
    private static QuantizedGradients[] Pack(int[] labels)
    {
        var all = Enumerable.Range(0, Rows).ToArray();
        var packs = new QuantizedGradients[Classes];
        for (var k = 0; k < Classes; k++)
        {
            var mean = labels.Count(l => l == k) / (double)Rows;
            var gh = new float[2 * Rows];
            for (var r = 0; r < Rows; r++)
            {
                gh[2 * r] = (float)(mean - (labels[r] == k ? 1 : 0));
                gh[(2 * r) + 1] = 1;
            }
            packs[k] = new QuantizedGradients(Rows);
            packs[k].Quantize(all, gh, salt: 0, threads: 1, stochastic: false);
        }
        return packs;
    }

    private static long[] Histogram(byte[] matrix, ReadOnlySpan<int> rows, QuantizedGradients pack)
    {
        var histogram = new long[Features * FeatureBins.MaxBins];
        HistogramKernel.Build(matrix, Features, rows, pack.Values, histogram);
        return histogram;
    }

    private static (double[] G, double H) Sums(ReadOnlySpan<int> rows, QuantizedGradients[] packs)
    {
        var g = new double[packs.Length];
        long weight = 0;
        for (var k = 0; k < packs.Length; k++)
        {
            long sum = 0;
            foreach (var r in rows)
            {
                sum += packs[k].Values[r];
            }
            g[k] = packs[k].Gradient(sum);
            weight = k == 0 ? sum : weight;
        }
        return (g, packs[0].Hessian(weight));
    }

    private static readonly GrowerSettings Forest = new() { MinChildWeight = 0, Lambda = 0, MinSamplesLeaf = 1 };

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void The_joint_search_of_one_target_is_the_single_target_search(int seed, bool forestSettings)
    {
        var (matrix, labels) = Data(seed);
        var pack = Pack(labels)[0];
        var settings = forestSettings ? Forest : new GrowerSettings { MinChildWeight = 0.5, Lambda = 1, MinSamplesLeaf = 3 };
        var finder = new SplitFinder(settings, Bins);
        var rng = new Random(seed);
        for (var trial = 0; trial < 40; trial++)
        {
            var rows = Enumerable.Range(0, 80 + rng.Next(400)).Select(_ => rng.Next(Rows)).Order().ToArray();
            var (g, h) = Sums(rows, [pack]);
            var histogram = Histogram(matrix, rows, pack);
            var single = finder.Find(histogram, pack, FeatureOrder, g[0], h, rows.Length);
            var joint = finder.FindJoint([histogram], [pack], FeatureOrder, g, h, rows.Length);
            Assert.Equal(single.Feature, joint.Feature);
            Assert.Equal(single.ThresholdBin, joint.ThresholdBin);
            Assert.Equal(Members(single.LeftBins), Members(joint.LeftBins));
            Assert.Equal(single.DefaultLeft, joint.DefaultLeft);
            Assert.Equal(single.Gain, joint.Gain, 1e-9 * Math.Max(1, Math.Abs(single.Gain)));
        }
    }

    [Fact]
    public void The_joint_gain_is_the_largest_sum_of_the_classes_gains_over_every_numeric_threshold()
    {
        var (matrix, labels) = Data(3);
        var packs = Pack(labels);
        var finder = new SplitFinder(Forest, Bins);
        var numeric = new[] { 0, 1, 3 };
        var rows = Enumerable.Range(0, Rows).ToArray();
        var (g, h) = Sums(rows, packs);
        var hists = packs.Select(p => Histogram(matrix, rows, p)).ToArray();
        var best = finder.FindJoint(hists, packs, numeric, g, h, Rows);
        // every threshold of every numeric feature, missing values left and right, by the Gini formula on class counts
        var bestGini = double.NegativeInfinity;
        (int Feature, int Threshold) bestAt = (-1, -1);
        foreach (var f in numeric)
        {
            for (var t = 1; t < Bins[f].BinCount - 1; t++)
            {
                foreach (var missingLeft in new[] { false, true })
                {
                    var left = new double[Classes];
                    var right = new double[Classes];
                    for (var r = 0; r < Rows; r++)
                    {
                        var bin = matrix[(r * Features) + f];
                        var goesLeft = bin == 0 ? missingLeft : bin <= t;
                        (goesLeft ? left : right)[labels[r]]++;
                    }
                    var decrease = Impurity(left.Concat(right).ToArray(), Classes) - Impurity(left) - Impurity(right);
                    if (decrease > bestGini + 1e-9)
                    {
                        bestGini = decrease;
                        bestAt = (f, t);
                    }
                }
            }
        }
        Assert.Equal(bestAt, (best.Feature, best.ThresholdBin));
        // the finder's gain is half the score difference: Σ_k G²/H terms, which for 0/1 indicators is n·Gini's decrease
        Assert.Equal(bestGini / 2, best.Gain, 1e-3);
    }

    /// <summary>n · Gini impurity of class counts (the first <paramref name="classes"/> entries summed with the rest, when given twice as many).</summary>
    private static double Impurity(double[] counts, int classes = 0)
    {
        if (classes > 0)
        {
            counts = [.. Enumerable.Range(0, classes).Select(k => counts[k] + counts[k + classes])];
        }
        var n = counts.Sum();
        return n == 0 ? 0 : n - (counts.Sum(c => c * c) / n);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void The_sorted_joint_search_of_a_small_node_picks_the_histogram_joint_search_s_split(int seed)
    {
        var (matrix, labels) = Data(seed);
        var packs = Pack(labels);
        var settings = new GrowerSettings { MinChildWeight = 0, Lambda = 0, MinSamplesLeaf = 1, MinCategoryRows = seed == 5 ? 3 : 0 };
        var finder = new SplitFinder(settings, Bins);
        var rng = new Random(seed);
        for (var trial = 0; trial < 300; trial++)
        {
            var rows = Enumerable.Range(0, 1 + rng.Next(SplitFinder.SortedMaxRows)).Select(_ => rng.Next(Rows)).Order().ToArray();
            var (g, h) = Sums(rows, packs);
            var hists = packs.Select(p => Histogram(matrix, rows, p)).ToArray();
            var expected = finder.FindJoint(hists, packs, FeatureOrder, g, h, rows.Length);
            var actual = finder.FindSortedJoint(matrix, Features, rows, packs, FeatureOrder, g, h);
            Assert.Equal(expected.Feature, actual.Feature);
            Assert.Equal(expected.Gain, actual.Gain);
            Assert.Equal(Members(expected.LeftBins), Members(actual.LeftBins));
            Assert.Equal(expected.DefaultLeft, actual.DefaultLeft);
            Assert.Equal(expected.LeftH, actual.LeftH);
        }
    }

    private static bool[] Members(BinSet set) => [.. Enumerable.Range(0, FeatureBins.MaxBins).Select(set.Contains)];
}
