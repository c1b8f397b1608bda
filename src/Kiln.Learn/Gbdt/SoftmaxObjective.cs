using Kiln.Learn.Model;

namespace Kiln.Learn.Gbdt;

/// <summary>Multiclass log loss on one score per class (softmax).</summary>
internal sealed class SoftmaxObjective : Objective
{
    private readonly int _classes;

    public SoftmaxObjective(int classes)
    {
        _classes = classes;
    }

    public override int Outputs => _classes;

    public override OutputTransform Transform => OutputTransform.Softmax;

    public override double[] BaseScores(double[] y)
    {
        var counts = new double[_classes];
        foreach (var c in y)
        {
            counts[(int)c]++;
        }
        return [.. counts.Select(c => Math.Log(Math.Max(c / y.Length, 1e-6)))];
    }

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        Span<double> p = stackalloc double[_classes];
        for (var i = start; i < end; i++)
        {
            scores.AsSpan(i * _classes, _classes).CopyTo(p);
            TreeEnsemble.Softmax(p);
            var label = (int)y[i];
            for (var k = 0; k < _classes; k++)
            {
                gh[k][2 * i] = (float)(p[k] - (k == label ? 1 : 0));
                gh[k][(2 * i) + 1] = (float)Math.Max(2 * p[k] * (1 - p[k]), 1e-16);
            }
        }
    }

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        Span<double> p = stackalloc double[_classes];
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            scores.AsSpan(i * _classes, _classes).CopyTo(p);
            TreeEnsemble.Softmax(p);
            sum -= Math.Log(Math.Max(p[(int)y[i]], 1e-15));
        }
        return sum;
    }
}
