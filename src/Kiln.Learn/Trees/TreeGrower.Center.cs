namespace Kiln.Learn.Trees;

internal sealed partial class TreeGrower
{
    /// <summary>Splits rows [begin, end) as <paramref name="best"/> says (see <see cref="Partition(int, int, int, BinSet)"/>)
    /// and, with <see cref="GrowerSettings.CenterThresholds"/>, moves a numeric split's threshold to the middle of the gap
    /// the node's rows leave around it, seen in the same pass. Every threshold between the node's largest left bin and
    /// smallest right bin splits the node's rows the same way; the search takes the lowest, which sends an unseen value
    /// in the gap right however close it is to the left side. The cut nearest the middle of the gap (in value) is the one
    /// scikit-learn's trees take (the midpoint between the two values), and it matters where rows are few: deep nodes of
    /// a forest's trees on small data.</summary>
    private int PartitionCentered(ref SplitCandidate best, int begin, int end)
    {
        if (!_settings.CenterThresholds || best.Categorical)
        {
            return Partition(begin, end, best.Feature, best.LeftBins);
        }
        var gap = new Gap(best.ThresholdBin);
        var mid = Partition(begin, end, best.Feature, best.LeftBins, ref gap);
        var (largestLeft, smallestRight) = (gap.LargestLeft, gap.SmallestRight);
        if (largestLeft == 0 || smallestRight == int.MaxValue || smallestRight - largestLeft <= 1)
        {
            return mid;
        }
        // the valid thresholds are bins [largestLeft, smallestRight − 1], cut values UpperBounds[t − 1]
        var cuts = _bins[best.Feature].UpperBounds;
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
        return mid;
    }

    /// <summary>Sees the bin of each row a partition moves.</summary>
    private interface IBinWatcher
    {
        bool Wanted { get; }

        void See(int bin);
    }

    /// <summary>Watches nothing.</summary>
    private struct NoGap : IBinWatcher
    {
        public readonly bool Wanted => false;

        public readonly void See(int bin)
        {
        }
    }

    /// <summary>The largest bin ≤ the threshold (0 if none) and the smallest above it (<see cref="int.MaxValue"/> if none);
    /// missing values (bin 0) count as neither. Branch-free: the sides alternate at random.</summary>
    private struct Gap(int threshold) : IBinWatcher
    {
        public int LargestLeft = 0;
        public int SmallestRight = int.MaxValue;

        public readonly bool Wanted => true;

        public void See(int bin)
        {
            var left = bin <= threshold ? bin : 0;
            var right = bin > threshold ? bin : int.MaxValue;
            LargestLeft = left > LargestLeft ? left : LargestLeft;
            SmallestRight = right < SmallestRight ? right : SmallestRight;
        }
    }
}
