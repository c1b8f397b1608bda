using Kiln.Learn.Metrics;
using Kiln.Engine.Training;

namespace Kiln.Engine.Tests.Training;

public sealed class ModelEvaluationTests
{
    [Fact]
    public void Curves_start_at_the_origin_and_end_at_the_corner()
    {
        int[] labels = [1, 0, 1, 0, 1, 1, 0, 0];
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.1];
        var (roc, pr) = ModelEvaluation.Curves(labels, scores, ProbabilityMetrics.AscendingOrder(scores));
        Assert.Equal((0.0, 0.0), roc[0]);
        Assert.Equal((1.0, 1.0), roc[^1]);
        Assert.Equal((0.0, 0.25), roc[1]);
        Assert.Equal(1.0, pr[0].Precision);
        Assert.Equal(1.0, pr[^1].Recall);
        Assert.Equal(0.5, pr[^1].Precision);
    }

    [Fact]
    public void Tied_scores_make_one_point()
    {
        var (roc, _) = ModelEvaluation.Curves([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5], [0, 1, 2, 3]);
        Assert.Equal([(0.0, 0.0), (1.0, 1.0)], roc);
    }
}
