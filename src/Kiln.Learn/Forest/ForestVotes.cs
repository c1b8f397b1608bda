using Kiln.Learn.Data;
using Kiln.Learn.Trees;

namespace Kiln.Learn.Forest;

/// <summary>Running sums of tree predictions per row, for the out-of-bag estimate (only trees that did not see the row)
/// or a validation table (every tree).</summary>
internal sealed class ForestVotes
{
    private const int BlockRows = 16_384;
    private const double Clip = 1e-15;

    private readonly TaskKind _task;
    private readonly int _outputs;
    private readonly double[] _y;
    private readonly double[] _sums;
    private readonly int[] _counts;
    private readonly int _threads;

    public ForestVotes(ModelSchema schema, double[] y, int threads)
    {
        _task = schema.Task;
        _outputs = schema.OutputCount;
        _y = y;
        _sums = new double[y.Length * _outputs];
        _counts = new int[y.Length];
        _threads = threads;
    }

    /// <summary>Adds one iteration's trees (one per output) for the rows of <paramref name="matrix"/> not in
    /// <paramref name="inBag"/> (all rows when null); returns the loss over rows with at least one vote (NaN if none, or
    /// when <paramref name="withLoss"/> is false).</summary>
    public double Add(GrownTree[] trees, BinnedMatrix matrix, byte[]? inBag, bool withLoss = true)
    {
        var n = _y.Length;
        var blocks = (n + BlockRows - 1) / BlockRows;
        var losses = new double[blocks];
        var voted = new int[blocks];
        var f = matrix.FeatureCount;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, b =>
        {
            Span<double> p = stackalloc double[_outputs];
            var end = Math.Min(n, (b + 1) * BlockRows);
            double loss = 0;
            var count = 0;
            for (var i = b * BlockRows; i < end; i++)
            {
                if (inBag is null || inBag[i] == 0)
                {
                    var rowBins = matrix.Bins.AsSpan(i * f, f);
                    for (var k = 0; k < _outputs; k++)
                    {
                        _sums[(i * _outputs) + k] += trees[k].LeafValues[trees[k].FindLeaf(rowBins)];
                    }
                    _counts[i]++;
                }
                if (withLoss && _counts[i] > 0)
                {
                    Average(i, p);
                    loss += RowLoss(i, p);
                    count++;
                }
            }
            losses[b] = loss;
            voted[b] = count;
        });
        var rows = voted.Sum();
        return rows == 0 || !withLoss ? double.NaN : losses.Sum() / rows;
    }

    /// <summary>Accuracy (classification) or R² (regression) over rows with votes; NaN if none.</summary>
    public double Score()
    {
        Span<double> p = stackalloc double[_outputs];
        double hits = 0, residual = 0, sum = 0, sumSquares = 0;
        var rows = 0;
        for (var i = 0; i < _y.Length; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }
            rows++;
            Average(i, p);
            var y = _y[i];
            if (_task == TaskKind.Regression)
            {
                residual += (y - p[0]) * (y - p[0]);
                sum += y;
                sumSquares += y * y;
            }
            else if (Predicted(p) == (int)y)
            {
                hits++;
            }
        }
        if (rows == 0)
        {
            return double.NaN;
        }
        if (_task != TaskKind.Regression)
        {
            return hits / rows;
        }
        var total = sumSquares - (sum * sum / rows);
        return total > 0 ? 1 - (residual / total) : residual == 0 ? 1 : 0;
    }

    private void Average(int i, Span<double> p)
    {
        var count = _counts[i];
        double total = 0;
        for (var k = 0; k < _outputs; k++)
        {
            p[k] = _sums[(i * _outputs) + k] / count;
            total += p[k];
        }
        if (_task == TaskKind.MulticlassClassification && total > 0)
        {
            for (var k = 0; k < _outputs; k++)
            {
                p[k] /= total;
            }
        }
    }

    private double RowLoss(int i, ReadOnlySpan<double> p)
    {
        var y = _y[i];
        return _task switch
        {
            TaskKind.Regression => (y - p[0]) * (y - p[0]),
            TaskKind.BinaryClassification => -Math.Log(Math.Clamp(y > 0.5 ? p[0] : 1 - p[0], Clip, 1)),
            _ => -Math.Log(Math.Clamp(p[(int)y], Clip, 1)),
        };
    }

    private int Predicted(ReadOnlySpan<double> p)
    {
        if (_task == TaskKind.BinaryClassification)
        {
            return p[0] >= 0.5 ? 1 : 0;
        }
        var best = 0;
        for (var k = 1; k < p.Length; k++)
        {
            if (p[k] > p[best])
            {
                best = k;
            }
        }
        return best;
    }
}
