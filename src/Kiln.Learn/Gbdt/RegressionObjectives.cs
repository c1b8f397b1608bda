using Kiln.Learn.Model;

namespace Kiln.Learn.Gbdt;

/// <summary>Squared error; the reported loss is RMSE.</summary>
internal sealed class SquaredObjective : Objective
{
    public override int Outputs => 1;

    public override OutputTransform Transform => OutputTransform.Identity;

    public override double[] BaseScores(double[] y) => [y.Average()];

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        var target = gh[0];
        for (var i = start; i < end; i++)
        {
            target[2 * i] = (float)(scores[i] - y[i]);
            target[(2 * i) + 1] = 1;
        }
    }

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            var d = scores[i] - y[i];
            sum += d * d;
        }
        return sum;
    }

    public override double Report(double meanLoss) => Math.Sqrt(meanLoss);
}

/// <summary>Absolute error: sign gradients, leaves refitted to the median residual; the reported loss is MAE.</summary>
internal sealed class AbsoluteObjective : Objective
{
    public override int Outputs => 1;

    public override OutputTransform Transform => OutputTransform.Identity;

    public override bool RefitMedian => true;

    public override double[] BaseScores(double[] y) => [Median(y)];

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        var target = gh[0];
        for (var i = start; i < end; i++)
        {
            target[2 * i] = Math.Sign(scores[i] - y[i]);
            target[(2 * i) + 1] = 1;
        }
    }

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            sum += Math.Abs(scores[i] - y[i]);
        }
        return sum;
    }
}

/// <summary>Huber loss: squared within delta of the target, linear beyond; the reported loss is the mean Huber loss.</summary>
internal sealed class HuberObjective : Objective
{
    private readonly double _delta;

    public HuberObjective(double delta)
    {
        _delta = delta;
    }

    public override int Outputs => 1;

    public override OutputTransform Transform => OutputTransform.Identity;

    public override double[] BaseScores(double[] y) => [Median(y)];

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        var target = gh[0];
        for (var i = start; i < end; i++)
        {
            var d = scores[i] - y[i];
            target[2 * i] = (float)Math.Clamp(d, -_delta, _delta);
            target[(2 * i) + 1] = 1;
        }
    }

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            var d = Math.Abs(scores[i] - y[i]);
            sum += d <= _delta ? 0.5 * d * d : _delta * (d - (0.5 * _delta));
        }
        return sum;
    }
}
