using Kiln.Learn.Model;

namespace Kiln.Learn.Gbdt;

/// <summary>Binary log loss on the log-odds score.</summary>
internal sealed class LogisticObjective : Objective
{
    public override int Outputs => 1;

    public override OutputTransform Transform => OutputTransform.Sigmoid;

    public override double[] BaseScores(double[] y)
    {
        var p = Math.Clamp(y.Average(), 1e-6, 1 - 1e-6);
        return [Math.Log(p / (1 - p))];
    }

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        var target = gh[0];
        for (var i = start; i < end; i++)
        {
            var p = 1 / (1 + Math.Exp(-scores[i]));
            target[2 * i] = (float)(p - y[i]);
            target[(2 * i) + 1] = (float)Math.Max(p * (1 - p), 1e-16);
        }
    }

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            var s = scores[i];
            // log(1 + e^s) - y s, computed without overflow
            sum += Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - (y[i] * s);
        }
        return sum;
    }
}
