namespace Kiln.Learn.Trees;

/// <summary>The best split found for a node: gain (already net of gamma; ≤ 0 means "do not split") and the left side's sums.</summary>
internal struct SplitCandidate
{
    public double Gain;
    public int Feature;
    public int ThresholdBin;
    public bool Categorical;
    public bool DefaultLeft;
    public BinSet LeftBins;
    public double LeftG;
    public double LeftH;

    public static SplitCandidate None => new() { Gain = double.NegativeInfinity, Feature = -1 };
}
