using Kiln.Learn.Trees;

namespace Kiln.Learn.Tests.Trees;

public sealed class QuantizedGradientsTests
{
    private static float[] RandomPairs(int n, int seed, double gradientScale = 1)
    {
        var rng = new Random(seed);
        var gh = new float[2 * n];
        for (var i = 0; i < n; i++)
        {
            gh[2 * i] = (float)((rng.NextDouble() - 0.5) * 2 * gradientScale);
            gh[(2 * i) + 1] = (float)(rng.NextDouble() * 0.25);
        }
        return gh;
    }

    [Fact]
    public void Packed_sums_unpack_to_the_float_sums_within_the_rounding_step()
    {
        const int n = 200_000;
        var gh = RandomPairs(n, 1, gradientScale: 3);
        var rows = Enumerable.Range(0, n).ToArray();
        var q = new QuantizedGradients(n);
        q.Quantize(rows, gh, salt: 7, threads: 2);
        // every subset the grower can form sums without overflow: the whole set, a half, a single row
        foreach (var subset in new[] { rows, rows.Where(r => r % 2 == 0).ToArray(), rows[..1] })
        {
            long packed = 0;
            double g = 0, h = 0;
            foreach (var r in subset)
            {
                packed += q.Values[r];
                g += gh[2 * r];
                h += gh[(2 * r) + 1];
            }
            // stochastic rounding: each row is off by less than one step, and the errors cancel (≈ √n steps)
            var stepsG = Math.Abs(q.Gradient(packed) - g) * q.GradientScale;
            var stepsH = Math.Abs(q.Hessian(packed) - h) * q.HessianScale;
            Assert.True(stepsG < 10 * Math.Sqrt(subset.Length) + 1, $"gradient off by {stepsG} steps over {subset.Length} rows");
            Assert.True(stepsH < 10 * Math.Sqrt(subset.Length) + 1, $"hessian off by {stepsH} steps over {subset.Length} rows");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Consecutive_rows_packed_four_at_a_time_get_the_words_of_one_at_a_time(bool stochastic)
    {
        // 150,003 rows: three blocks, the last not a multiple of four; in reverse order no block is consecutive
        const int n = 150_003;
        var gh = RandomPairs(n, 5, gradientScale: 2);
        var rows = Enumerable.Range(0, n).ToArray();
        var vectors = new QuantizedGradients(n);
        var scalar = new QuantizedGradients(n);
        var (g1, h1) = vectors.Quantize(rows, gh, salt: 3, threads: 2, stochastic);
        var (g2, h2) = scalar.Quantize([.. rows.Reverse()], gh, salt: 3, threads: 2, stochastic);
        Assert.Equal(vectors.GradientScale, scalar.GradientScale);
        Assert.Equal(vectors.HessianScale, scalar.HessianScale);
        Assert.Equal(scalar.Values, vectors.Values);
        // the totals are the same sums added in another order
        Assert.Equal(g2, g1, 6);
        Assert.Equal(h2, h1, 6);
        // a different salt draws different roundings
        var other = new QuantizedGradients(n);
        other.Quantize(rows, gh, salt: 4, threads: 2, stochastic);
        Assert.Equal(stochastic, !other.Values.SequenceEqual(vectors.Values));
    }

    [Fact]
    public void Extreme_values_never_overflow_the_32_bit_halves()
    {
        // every gradient at the extreme of one sign: the sum is as large as it can get
        const int n = 100_000;
        var gh = new float[2 * n];
        for (var i = 0; i < n; i++)
        {
            gh[2 * i] = -5;
            gh[(2 * i) + 1] = 2;
        }
        var rows = Enumerable.Range(0, n).ToArray();
        var q = new QuantizedGradients(n);
        q.Quantize(rows, gh, salt: 1, threads: 1);
        var packed = q.Values.Sum();
        Assert.Equal(-5.0 * n, q.Gradient(packed), 6);
        Assert.Equal(2.0 * n, q.Hessian(packed), 6);
    }

    [Fact]
    public void Repeated_rows_and_a_subset_of_rows_are_packed_by_row_index()
    {
        var gh = RandomPairs(1000, 3);
        var rows = new[] { 0, 0, 0, 5, 5, 999 };
        var q = new QuantizedGradients(1000);
        q.Quantize(rows, gh, salt: 11, threads: 1);
        double g = 0;
        long packed = 0;
        foreach (var r in rows)
        {
            packed += q.Values[r];
            g += gh[2 * r];
        }
        Assert.True(Math.Abs(q.Gradient(packed) - g) * q.GradientScale <= rows.Length);
    }

    [Fact]
    public void Rounding_is_unbiased_and_reproducible()
    {
        // a value a third of a step above a grid point: deterministic rounding would lose the third on every row
        const int n = 300_000;
        var gh = new float[2 * n];
        for (var i = 0; i < n; i++)
        {
            gh[2 * i] = i == 0 ? 1f : 0.3f;
            gh[(2 * i) + 1] = 1f;
        }
        var rows = Enumerable.Range(0, n).ToArray();
        var a = new QuantizedGradients(n);
        var b = new QuantizedGradients(n);
        a.Quantize(rows, gh, salt: 5, threads: 2);
        b.Quantize(rows, gh, salt: 5, threads: 1);
        Assert.Equal(a.Values, b.Values);
        var sum = rows.Skip(1).Sum(r => a.Gradient(a.Values[r]));
        Assert.Equal(0.3 * (n - 1), sum, 0.3 * (n - 1) * 1e-3);
    }

    [Fact]
    public void A_packed_sum_of_mixed_signs_unpacks_to_both_sums()
    {
        // a negative gradient borrows from the hessian half of the word; unpacking undoes that exactly
        var gh = new float[] { 0.5f, 0.25f, -0.75f, 0.125f, -0.5f, 0.5f };
        var q = new QuantizedGradients(3);
        q.Quantize([0, 1, 2], gh, salt: 2, threads: 1);
        var sum = q.Values[0] + q.Values[1] + q.Values[2];
        Assert.Equal(-0.75, q.Gradient(sum), 4);
        Assert.Equal(0.875, q.Hessian(sum), 4);
        Assert.Equal(-0.5, q.Gradient(q.Values[2]), 4);
        Assert.Equal(0.5, q.Hessian(q.Values[2]), 4);
    }
}
