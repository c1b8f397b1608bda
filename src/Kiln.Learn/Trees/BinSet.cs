using System.Runtime.CompilerServices;

namespace Kiln.Learn.Trees;

/// <summary>A set of bins (0-255): the bins a split sends left. One representation for numeric, categorical and missing.</summary>
[InlineArray(4)]
internal struct BinSet
{
    private ulong _word;

    public readonly bool Contains(int bin) => ((this[bin >> 6] >> (bin & 63)) & 1) != 0;

    public void Add(int bin) => this[bin >> 6] |= 1UL << (bin & 63);

    /// <summary>Bins 1..<paramref name="last"/> (and bin 0 when <paramref name="missingLeft"/>).</summary>
    public static BinSet Range(int last, bool missingLeft)
    {
        var set = default(BinSet);
        for (var b = 1; b <= last; b++)
        {
            set.Add(b);
        }
        if (missingLeft)
        {
            set.Add(0);
        }
        return set;
    }
}
