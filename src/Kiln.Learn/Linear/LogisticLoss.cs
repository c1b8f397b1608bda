using System.Numerics;
using System.Runtime.InteropServices;

namespace Kiln.Learn.Linear;

/// <summary>Penalised mean log loss of a logistic model over a <see cref="DesignMatrix"/>, and its gradient: one pass
/// over the rows, in parallel blocks whose partial sums are added in block order (the result does not depend on the
/// thread count). Parameters: per output the <see cref="FeatureEncoding.Stride"/> numeric weights then the one-hot
/// weights, then one intercept per output.</summary>
internal sealed class LogisticLoss
{
    private readonly DesignMatrix _x;
    private readonly double[] _y;
    private readonly int _outputs;
    private readonly double _lambda;
    private readonly int _threads;
    private readonly double[][] _partials;
    private readonly double[] _losses;

    /// <summary>Per-row weights (null: all 1): each row's loss and gradient count that many times; the mean is over their sum.</summary>
    private readonly double[]? _weights;
    private readonly double _total;

    public LogisticLoss(DesignMatrix x, double[] y, int outputs, double lambda, int threads, double[]? weights = null)
    {
        _weights = weights;
        _total = weights?.Sum() ?? x.Rows;
        _x = x;
        _y = y;
        _outputs = outputs;
        _lambda = lambda;
        _threads = threads;
        _partials = new double[x.BlockCount][];
        _losses = new double[x.BlockCount];
    }

    /// <summary>Weights per output: numeric (padded) then one-hot.</summary>
    public int OutputWidth => _x.Stride + _x.Encoding.OneHotCount;

    public int ParameterCount => (_outputs * OutputWidth) + _outputs;

    /// <summary>The objective at <paramref name="w"/>; writes its gradient into <paramref name="gradient"/> when given.
    /// Without a gradient the penalty is left out (the plain mean log loss, e.g. for a validation table).</summary>
    public double Evaluate(double[] w, double[]? gradient, CancellationToken cancellationToken = default)
    {
        var blocks = _x.BlockCount;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken },
            () => new double[DesignMatrix.BlockRows * _outputs],
            (b, _, z) =>
            {
                double[]? g = null;
                if (gradient is not null)
                {
                    g = _partials[b] ??= new double[ParameterCount];
                    Array.Clear(g);
                }
                var start = b * DesignMatrix.BlockRows;
                var end = Math.Min(_x.Rows, start + DesignMatrix.BlockRows);
                _losses[b] = _outputs == 1 ? Binary(w, g, start, end, z) : Multinomial(w, g, start, end);
                return z;
            },
            _ => { });
        var loss = 0.0;
        for (var b = 0; b < blocks; b++)
        {
            loss += _losses[b];
        }
        loss /= _total;
        if (gradient is null)
        {
            return loss;
        }
        Array.Clear(gradient);
        for (var b = 0; b < blocks; b++)
        {
            Add(gradient, _partials[b]);
        }
        var scale = 1.0 / _total;
        var penalised = _outputs * OutputWidth;
        var penalty = 0.0;
        for (var j = 0; j < gradient.Length; j++)
        {
            gradient[j] *= scale;
            if (j < penalised)
            {
                gradient[j] += _lambda * w[j];
                penalty += w[j] * w[j];
            }
        }
        return loss + (0.5 * _lambda * penalty);
    }

    private double Binary(double[] w, double[]? g, int start, int end, double[] z)
    {
        var count = end - start;
        var width = OutputWidth;
        var intercept = w[width];
        for (var i = 0; i < count; i++)
        {
            z[i] = Score(w, 0, start + i) + intercept;
        }
        // log(1 + e^z) - y·z and the residual σ(z) - y, a vector of rows at a time
        var lanes = Vector<double>.Count;
        var y = _y.AsSpan(start, count);
        var weights = _weights is null ? default : _weights.AsSpan(start, count);
        var weighted = _weights is not null;
        var lossSum = Vector<double>.Zero;
        var i0 = 0;
        for (; i0 + lanes <= count; i0 += lanes)
        {
            var zv = new Vector<double>(z, i0);
            var yv = new Vector<double>(y[i0..]);
            var wv = weighted ? new Vector<double>(weights[i0..]) : Vector<double>.One;
            var e = Vector.Exp(-Vector.Abs(zv));
            var softplus = Vector.Max(zv, Vector<double>.Zero) + Vector.Log(Vector<double>.One + e);
            lossSum += wv * (softplus - (yv * zv));
            var p = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(zv, Vector<double>.Zero),
                Vector<double>.One / (Vector<double>.One + e), e / (Vector<double>.One + e));
            (wv * (p - yv)).CopyTo(z, i0);
        }
        var loss = Vector.Sum(lossSum);
        for (; i0 < count; i0++)
        {
            var zi = z[i0];
            var wi = weighted ? weights[i0] : 1;
            var e = Math.Exp(-Math.Abs(zi));
            loss += wi * (Math.Max(zi, 0) + Math.Log(1 + e) - (y[i0] * zi));
            z[i0] = wi * ((zi >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i0]);
        }
        if (g is not null)
        {
            double interceptGradient = 0;
            for (var i = 0; i < count; i++)
            {
                AddRow(g, 0, start + i, z[i]);
                interceptGradient += z[i];
            }
            g[width] += interceptGradient;
        }
        return loss;
    }

    private double Multinomial(double[] w, double[]? g, int start, int end)
    {
        var k = _outputs;
        var width = OutputWidth;
        var loss = 0.0;
        Span<double> p = stackalloc double[k];
        for (var i = start; i < end; i++)
        {
            var max = double.NegativeInfinity;
            for (var c = 0; c < k; c++)
            {
                p[c] = Score(w, c * width, i) + w[(k * width) + c];
                max = Math.Max(max, p[c]);
            }
            var label = (int)_y[i];
            var sum = 0.0;
            var zLabel = p[label];
            for (var c = 0; c < k; c++)
            {
                p[c] = Math.Exp(p[c] - max);
                sum += p[c];
            }
            var wi = _weights is null ? 1 : _weights[i];
            loss += wi * (Math.Log(sum) + max - zLabel);
            if (g is null)
            {
                continue;
            }
            for (var c = 0; c < k; c++)
            {
                var r = wi * ((p[c] / sum) - (c == label ? 1 : 0));
                AddRow(g, c * width, i, r);
                g[(k * width) + c] += r;
            }
        }
        return loss;
    }

    /// <summary>w·x of row <paramref name="row"/> for the output whose weights start at <paramref name="offset"/>.</summary>
    private double Score(double[] w, int offset, int row)
    {
        var stride = _x.Stride;
        var x = MemoryMarshal.Cast<float, Vector<float>>(_x.Numeric.AsSpan(row * stride, stride));
        var weights = MemoryMarshal.Cast<double, Vector<double>>(w.AsSpan(offset, stride));
        var acc = Vector<double>.Zero;
        for (var v = 0; v < x.Length; v++)
        {
            Vector.Widen(x[v], out var lo, out var hi);
            acc += (lo * weights[2 * v]) + (hi * weights[(2 * v) + 1]);
        }
        var score = Vector.Sum(acc);
        var cats = _x.CategoricalCount;
        var codes = _x.Codes.AsSpan(row * cats, cats);
        foreach (var code in codes)
        {
            if (code >= 0)
            {
                score += w[offset + stride + code];
            }
        }
        return score;
    }

    /// <summary>g += r·x for row <paramref name="row"/>, into the output whose gradient starts at <paramref name="offset"/>.</summary>
    private void AddRow(double[] g, int offset, int row, double r)
    {
        var stride = _x.Stride;
        var x = MemoryMarshal.Cast<float, Vector<float>>(_x.Numeric.AsSpan(row * stride, stride));
        var acc = MemoryMarshal.Cast<double, Vector<double>>(g.AsSpan(offset, stride));
        var rv = new Vector<double>(r);
        for (var v = 0; v < x.Length; v++)
        {
            Vector.Widen(x[v], out var lo, out var hi);
            acc[2 * v] += rv * lo;
            acc[(2 * v) + 1] += rv * hi;
        }
        var cats = _x.CategoricalCount;
        var codes = _x.Codes.AsSpan(row * cats, cats);
        foreach (var code in codes)
        {
            if (code >= 0)
            {
                g[offset + stride + code] += r;
            }
        }
    }

    private static void Add(double[] target, double[] source)
    {
        var t = MemoryMarshal.Cast<double, Vector<double>>(target.AsSpan());
        var s = MemoryMarshal.Cast<double, Vector<double>>(source.AsSpan());
        for (var v = 0; v < t.Length; v++)
        {
            t[v] += s[v];
        }
        for (var j = t.Length * Vector<double>.Count; j < target.Length; j++)
        {
            target[j] += source[j];
        }
    }
}
