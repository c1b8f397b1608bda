using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class HistogramKernelTests
{
    [Theory]
    [InlineData(7, 0, 1000)]
    [InlineData(30, 123, 777)]
    [InlineData(3, 999, 1)]
    public void A_run_of_rows_scanned_without_indices_gives_the_indexed_histogram(int features, int start, int count)
    {
        var rng = new Random(features);
        const int n = 1000 + 777;
        var bins = new byte[n * features];
        rng.NextBytes(bins);
        var words = Enumerable.Range(0, n).Select(_ => rng.NextInt64(-1L << 40, 1L << 40)).ToArray();
        var expected = new long[features * FeatureBins.MaxBins];
        var actual = new long[features * FeatureBins.MaxBins];
        HistogramKernel.Build(bins, features, [.. Enumerable.Range(start, count)], words, expected);
        HistogramKernel.BuildRange(bins, features, start, count, words, actual);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, v => v != 0);
    }

    [Fact]
    public void Quantising_reports_whether_the_rows_were_all_rows_in_order()
    {
        const int n = 140_000;
        var gh = new float[2 * n];
        Array.Fill(gh, 0.5f);
        var q = new QuantizedGradients(n);
        int[] all = [.. Enumerable.Range(0, n)];
        q.Quantize(all, gh, 1, 2);
        Assert.True(q.RowsConsecutive);
        // a gap at a block boundary, a repeat (bootstrap), a sample
        int[] gap = [.. Enumerable.Range(0, 65_536), .. Enumerable.Range(65_537, 70_000)];
        int[] repeat = [0, .. Enumerable.Range(0, n - 1)];
        foreach (var rows in new[] { gap, repeat, all.Where(r => r % 3 != 0).ToArray() })
        {
            q.Quantize(rows, gh, 1, 2);
            Assert.False(q.RowsConsecutive);
        }
    }
}
