namespace Kiln.Learn.Trees;

internal sealed partial class TreeGrower
{
    /// <summary>With <see cref="GrowerSettings.CenterThresholds"/>, moves a numeric split's threshold to the middle of the gap
    /// the node's rows leave around it. Every threshold between the node's largest left bin and smallest right bin
    /// splits the node's rows the same way; the search takes the lowest, which sends an unseen value in the gap right
    /// however close it is to the left side. The cut nearest the middle of the gap (in value) is the one
    /// scikit-learn's trees take (the midpoint between the two values), and it matters where rows are few: deep nodes
    /// of a forest's trees on small data.</summary>
    private void CenterThreshold(ref SplitCandidate best, int begin, int end)
    {
        if (!_settings.CenterThresholds || best.Categorical || best.Feature < 0)
        {
            return;
        }
        var f = best.Feature;
        var t = best.ThresholdBin;
        int largestLeft = 0, smallestRight = int.MaxValue;
        var bins = _matrix.Bins;
        var stride = _matrix.FeatureCount;
        for (var i = begin; i < end; i++)
        {
            int b = bins[((long)_rows[i] * stride) + f];
            if (b == 0)
            {
                continue;
            }
            if (b <= t)
            {
                largestLeft = Math.Max(largestLeft, b);
            }
            else
            {
                smallestRight = Math.Min(smallestRight, b);
            }
        }
        if (largestLeft == 0 || smallestRight == int.MaxValue || smallestRight - largestLeft <= 1)
        {
            return;
        }
        // the valid thresholds are bins [largestLeft, smallestRight − 1], cut values UpperBounds[t − 1]
        var cuts = _bins[f].UpperBounds;
        var middle = (cuts[largestLeft - 1] + cuts[smallestRight - 2]) / 2;
        var chosen = largestLeft;
        for (var c = largestLeft + 1; c < smallestRight; c++)
        {
            if (Math.Abs(cuts[c - 1] - middle) < Math.Abs(cuts[chosen - 1] - middle))
            {
                chosen = c;
            }
        }
        best.ThresholdBin = chosen;
        best.LeftBins = BinSet.Range(chosen, best.DefaultLeft);
    }
}
