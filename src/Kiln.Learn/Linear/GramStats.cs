namespace Kiln.Learn.Linear;

/// <summary>Second moments of encoded rows and a target, all divided by the row count: G = XᵀX/n, μ = mean x,
/// c = Xᵀy/n, ȳ and mean y². Enough to evaluate and minimise any squared-error linear fit without touching rows again.
/// Columns: the numeric features (no padding), then the one-hot columns.</summary>
internal sealed class GramStats
{
    private const int Chunks = 16;

    private GramStats(int width, double[] gram, double[] mean, double[] xy, double yMean, double ySquares)
    {
        Width = width;
        Gram = gram;
        Mean = mean;
        Xy = xy;
        YMean = yMean;
        YSquares = ySquares;
    }

    public int Width { get; }

    /// <summary>Row-major Width × Width.</summary>
    public double[] Gram { get; }

    public double[] Mean { get; }

    public double[] Xy { get; }

    public double YMean { get; }

    public double YSquares { get; }

    /// <summary>One pass over the rows in a fixed number of chunks (summed in order, so the thread count does not matter).</summary>
    public static GramStats Compute(DesignMatrix x, double[] y, int threads, CancellationToken cancellationToken, double[]? weights = null)
    {
        var p = x.Encoding.Numeric.Length;
        var d = x.Encoding.Width;
        var partials = new double[Chunks][];
        Parallel.For(0, Chunks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, chunk =>
        {
            // layout: gram (d·d), sums (d), xy (d), Σy, Σy²
            var acc = partials[chunk] = new double[(d * d) + (2 * d) + 2];
            var start = (int)((long)x.Rows * chunk / Chunks);
            var end = (int)((long)x.Rows * (chunk + 1) / Chunks);
            var cats = x.CategoricalCount;
            Span<int> hot = stackalloc int[cats];
            for (var i = start; i < end; i++)
            {
                var row = x.Numeric.AsSpan(i * x.Stride, p);
                var wi = weights is null ? 1.0 : weights[i];
                var yi = y[i];
                var used = 0;
                foreach (var code in x.Codes.AsSpan(i * cats, cats))
                {
                    if (code >= 0)
                    {
                        hot[used++] = p + code;
                    }
                }
                for (var a = 0; a < p; a++)
                {
                    var xa = row[a] * wi; // weighted rows: every sum below counts the row wi times
                    var line = acc.AsSpan(a * d, d);
                    for (var b = a; b < p; b++)
                    {
                        line[b] += xa * row[b];
                    }
                    for (var h = 0; h < used; h++)
                    {
                        line[hot[h]] += xa;
                    }
                    acc[(d * d) + a] += xa;
                    acc[(d * d) + d + a] += xa * yi;
                }
                for (var h = 0; h < used; h++)
                {
                    var column = hot[h];
                    for (var h2 = 0; h2 < used; h2++)
                    {
                        if (hot[h2] >= column)
                        {
                            acc[(column * d) + hot[h2]] += wi;
                        }
                    }
                    acc[(d * d) + column] += wi;
                    acc[(d * d) + d + column] += wi * yi;
                }
                acc[^2] += wi * yi;
                acc[^1] += wi * yi * yi;
            }
        });
        var total = new double[partials[0].Length];
        foreach (var part in partials)
        {
            for (var j = 0; j < total.Length; j++)
            {
                total[j] += part[j];
            }
        }
        var n = weights is null ? x.Rows : weights.Sum();
        var gram = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                gram[(a * d) + b] = gram[(b * d) + a] = total[(a * d) + b] / n;
            }
        }
        var mean = new double[d];
        var xy = new double[d];
        for (var j = 0; j < d; j++)
        {
            mean[j] = total[(d * d) + j] / n;
            xy[j] = total[(d * d) + d + j] / n;
        }
        return new GramStats(d, gram, mean, xy, total[^2] / n, total[^1] / n);
    }

    /// <summary>Mean squared error of predictions b + x·w.</summary>
    public double MeanSquaredError(double[] w, double b)
    {
        var d = Width;
        var quadratic = 0.0;
        var linear = 0.0;
        var meanDot = 0.0;
        for (var a = 0; a < d; a++)
        {
            if (w[a] == 0)
            {
                continue;
            }
            var row = 0.0;
            for (var c = 0; c < d; c++)
            {
                row += Gram[(a * d) + c] * w[c];
            }
            quadratic += w[a] * row;
            linear += Xy[a] * w[a];
            meanDot += Mean[a] * w[a];
        }
        return YSquares - (2 * linear) - (2 * b * YMean) + quadratic + (2 * b * meanDot) + (b * b);
    }
}
