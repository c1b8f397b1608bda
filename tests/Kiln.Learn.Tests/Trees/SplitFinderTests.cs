using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class SplitFinderTests
{
    private const int Features = 6;

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void The_sorted_search_of_a_small_node_picks_the_histogram_search_s_split(int seed, bool forestSettings)
    {
        var rng = new Random(seed);
        // numeric features with few and many bins, one with no room for a split, and two categorical ones
        FeatureBins[] bins =
        [
            new(false, [.. Enumerable.Range(0, 253).Select(i => (double)i)], 255),
            new(false, [0.5, 1.5, 2.5], 5),
            new(false, [], 2),
            FeatureBins.ForCategorical(7),
            new(false, [.. Enumerable.Range(0, 40).Select(i => (double)i)], 42),
            FeatureBins.ForCategorical(30),
        ];
        var settings = forestSettings
            ? new GrowerSettings { MinChildWeight = 0, Lambda = 0, MinSamplesLeaf = 1 }
            : new GrowerSettings { MinChildWeight = 0.5, Lambda = 1, MinSamplesLeaf = 2, Gamma = 0.01 };
        var finder = new SplitFinder(settings, bins);
        const int n = 500;
        var matrix = new byte[n * Features];
        for (var r = 0; r < n; r++)
        {
            for (var f = 0; f < Features; f++)
            {
                // some missing values (bin 0) and clumps of equal bins
                var value = rng.Next(10) == 0 ? 0 : 1 + rng.Next(Math.Min(bins[f].BinCount - 1, f == 0 ? 250 : 12));
                matrix[(r * Features) + f] = (byte)value;
            }
        }
        var gh = new float[2 * n];
        for (var r = 0; r < n; r++)
        {
            gh[2 * r] = forestSettings ? (rng.Next(2) == 0 ? -0.4f : 0.6f) : (float)(rng.NextDouble() - 0.5);
            gh[(2 * r) + 1] = forestSettings ? 1f : (float)(0.05 + (rng.NextDouble() * 0.2));
        }
        var all = Enumerable.Range(0, n).ToArray();
        var packed = new QuantizedGradients(n);
        packed.Quantize(all, gh, salt: (ulong)seed, threads: 1, stochastic: !forestSettings);
        var histogram = new long[Features * FeatureBins.MaxBins];
        var features = new[] { 4, 0, 3, 1, 2, 5 };
        for (var trial = 0; trial < 300; trial++)
        {
            // a node: a few rows, sorted, repeats allowed (bootstrap)
            var size = 1 + rng.Next(SplitFinder.SortedMaxRows);
            var rows = Enumerable.Range(0, size).Select(_ => rng.Next(n)).Order().ToArray();
            double g = 0, h = 0;
            foreach (var r in rows)
            {
                g += packed.Gradient(packed.Values[r]);
                h += packed.Hessian(packed.Values[r]);
            }
            Array.Clear(histogram);
            HistogramKernel.Build(matrix, Features, rows, packed.Values, histogram);
            var expected = finder.Find(histogram, packed, features, g, h, size);
            var actual = finder.FindSorted(matrix, Features, rows, packed, features, g, h);
            Assert.Equal(expected.Feature, actual.Feature);
            Assert.Equal(expected.Gain, actual.Gain);
            Assert.Equal(Members(expected.LeftBins), Members(actual.LeftBins));
            Assert.Equal(expected.DefaultLeft, actual.DefaultLeft);
            Assert.Equal(expected.LeftG, actual.LeftG);
            Assert.Equal(expected.LeftH, actual.LeftH);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public void A_category_with_too_few_rows_stays_out_of_the_categorical_split(int minCategoryRows)
    {
        // category 1: 100 rows pulling down, 2: 100 rows pulling up, 4: 100 neutral rows, 3: 5 rows pulling down hardest
        FeatureBins[] bins = [FeatureBins.ForCategorical(4)];
        var finder = new SplitFinder(new GrowerSettings { MinChildWeight = 0, Lambda = 0, MinCategoryRows = minCategoryRows }, bins);
        var matrix = new List<byte>();
        var gh = new List<float>();
        void Add(int count, byte bin, float gradient)
        {
            for (var i = 0; i < count; i++)
            {
                matrix.Add(bin);
                gh.Add(gradient);
                gh.Add(1);
            }
        }
        Add(100, 1, -0.5f);
        Add(100, 2, 0.5f);
        Add(5, 3, -0.9f);
        Add(100, 4, 0f);
        var n = matrix.Count;
        var rows = Enumerable.Range(0, n).ToArray();
        var packed = new QuantizedGradients(n);
        packed.Quantize(rows, [.. gh], salt: 0, threads: 1, stochastic: false);
        var histogram = new long[FeatureBins.MaxBins];
        HistogramKernel.Build([.. matrix], 1, rows, packed.Values, histogram);
        var g = gh.Where((_, i) => i % 2 == 0).Sum(v => (double)v);
        var best = finder.Find(histogram, packed, [0], g, n, n);
        Assert.True(best.Categorical);
        Assert.True(best.LeftBins.Contains(1) != best.LeftBins.Contains(2));
        // taking part, the rare category is sorted in beside category 1 and the best split sends them left together
        // ({1, 3} | {2, 4}); left out, it goes right, and the best split becomes {2, 4} | {1, 3 by default}
        Assert.Equal(minCategoryRows == 0, best.LeftBins.Contains(3));
    }

    [Fact]
    public void A_feature_constant_in_a_small_node_does_not_count_against_its_share()
    {
        // feature 0 has one bin in the node, feature 1 separates the rows; one feature wanted out of two
        FeatureBins[] bins = [new(false, [0.5, 1.5, 2.5], 5), new(false, [0.5, 1.5, 2.5], 5)];
        var finder = new SplitFinder(new GrowerSettings { MinChildWeight = 0, Lambda = 0 }, bins);
        const int n = 20;
        var matrix = new byte[2 * n];
        var gh = new float[2 * n];
        for (var r = 0; r < n; r++)
        {
            matrix[2 * r] = 2;
            matrix[(2 * r) + 1] = (byte)(r < n / 2 ? 1 : 3);
            gh[2 * r] = r < n / 2 ? -0.5f : 0.5f;
            gh[(2 * r) + 1] = 1;
        }
        var rows = Enumerable.Range(0, n).ToArray();
        var packed = new QuantizedGradients(n);
        packed.Quantize(rows, gh, salt: 0, threads: 1, stochastic: false);
        var draw = new FeatureDraw();
        var firstDrawn = new HashSet<int>();
        for (var seed = 0; seed < 20; seed++)
        {
            draw.Reset([0, 1], new Random(seed));
            draw.TryNext(out var first);
            firstDrawn.Add(first);
            draw.Reset([0, 1], new Random(seed));
            var best = finder.FindSorted(matrix, 2, rows, packed, draw, want: 1, g: 0, h: n);
            Assert.Equal(1, best.Feature);
        }
        // both orders were drawn: the constant feature came first in some of them and was passed over
        Assert.Equal(2, firstDrawn.Count);
    }

    private static bool[] Members(BinSet set) => [.. Enumerable.Range(0, FeatureBins.MaxBins).Select(set.Contains)];
}
