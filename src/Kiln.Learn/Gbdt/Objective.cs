using Kiln.Learn.Model;

namespace Kiln.Learn.Gbdt;

/// <summary>A boosting objective: base scores, (gradient, hessian) per row and output, and the loss reported per round.</summary>
internal abstract class Objective
{
    public abstract int Outputs { get; }

    public abstract OutputTransform Transform { get; }

    /// <summary>Whether leaf values are refitted to the median residual (absolute error).</summary>
    public virtual bool RefitMedian => false;

    public abstract double[] BaseScores(double[] y);

    /// <summary>Writes interleaved (g, h) for rows [start, end) into gh[k] for every output k.</summary>
    public abstract void Gradients(double[] scores, double[] y, float[][] gh, int start, int end);

    /// <summary>Gradients for rows [start, end) as <see cref="Gradients"/>, and the summed loss of the same scores (one pass
    /// over the rows instead of two).</summary>
    public virtual double GradientsAndLoss(double[] scores, double[] y, float[][] gh, int start, int end)
    {
        Gradients(scores, y, gh, start, end);
        return LossSum(scores, y, start, end);
    }

    /// <summary>The summed loss over rows [start, end) (divided by the row count by the caller).</summary>
    public abstract double LossSum(double[] scores, double[] y, int start, int end);

    public static Objective Create(TaskKind task, int classes, GbdtOptions options) => task switch
    {
        TaskKind.BinaryClassification => new LogisticObjective(),
        TaskKind.MulticlassClassification => new SoftmaxObjective(classes),
        _ => options.Loss switch
        {
            RegressionLoss.AbsoluteError => new AbsoluteObjective(),
            RegressionLoss.Huber => new HuberObjective(options.HuberDelta),
            _ => new SquaredObjective(),
        },
    };

    /// <summary>Turns the summed loss into the reported figure (RMSE takes a square root).</summary>
    public virtual double Report(double meanLoss) => meanLoss;

    protected static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        var n = copy.Length;
        return n % 2 == 1 ? copy[n / 2] : (copy[(n / 2) - 1] + copy[n / 2]) / 2;
    }
}
