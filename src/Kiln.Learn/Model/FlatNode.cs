namespace Kiln.Learn.Model;

/// <summary>A split in a compiled tree. <see cref="Info"/>: bit 0 = missing goes left, bit 1 = categorical (then
/// Info &gt;&gt; 2 is the offset of the node's 8-word category bitset; a set bit sends that code left).
/// A child below 0 is a leaf (~index into the leaf values).</summary>
internal struct FlatNode
{
    public double Threshold;
    public int Feature;
    public int Left;
    public int Right;
    public int Info;

    public const int DefaultLeftFlag = 1;
    public const int CategoricalFlag = 2;
    public const int CategoryWords = 8;
}
