using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>Building the <see cref="RankedTrees"/> layout from a compiled ensemble.</summary>
internal sealed partial class RankedTrees
{
    /// <summary>Bytes per category set: its low 16 bytes (categories 0–127) twice, then its high 16 bytes twice (the
    /// byte shuffle reads within each 16-byte half of a vector).</summary>
    private const int SetBytes = 2 * Lanes;

    /// <summary>The layout for <paramref name="ensemble"/>, or null when it does not fit (see the class summary).</summary>
    public static RankedTrees? TryCreate(TreeEnsemble ensemble)
    {
        var trees = ensemble.TreeCount;
        if (!Avx2.IsSupported || trees == 0 || ensemble.Roots.Any(root => DepthBelow(ensemble.Nodes, root, 0) > Depth))
        {
            return null;
        }
        // the columns: every feature a numeric node reads; categorical nodes read their feature's category codes
        var cutsOf = new SortedDictionary<int, SortedSet<double>>();
        var categorical = new SortedSet<int>();
        foreach (var node in ensemble.Nodes)
        {
            if ((node.Info & FlatNode.CategoricalFlag) != 0)
            {
                categorical.Add(node.Feature);
                continue;
            }
            if (double.IsNaN(node.Threshold))
            {
                return null;
            }
            if (!cutsOf.TryGetValue(node.Feature, out var set))
            {
                cutsOf[node.Feature] = set = [];
            }
            if (node.Threshold != double.PositiveInfinity)
            {
                set.Add(node.Threshold == 0 ? 0.0 : node.Threshold); // −0 and +0 are one cut
            }
        }
        if (cutsOf.Count == 0)
        {
            // padding nodes read column 0
            cutsOf[categorical.Count > 0 ? categorical.Min : 0] = [];
        }
        var chunkBytes = ((2 * cutsOf.Count) + (categorical.Count > 0 ? 3 * (categorical.Count + 1) : 0)) * Lanes;
        if (cutsOf.Values.Any(s => s.Count > MaxCuts) || chunkBytes > ushort.MaxValue)
        {
            return null;
        }
        var features = cutsOf.Keys.ToArray();
        var cuts = new double[features.Length * CutSlots];
        Array.Fill(cuts, double.PositiveInfinity);
        for (var c = 0; c < features.Length; c++)
        {
            cutsOf[features[c]].CopyTo(cuts, c * CutSlots);
        }
        var builder = new Builder(ensemble, features, cuts, [.. categorical]);
        for (var t = 0; t < trees; t++)
        {
            builder.Fill(t, ensemble.Roots[t], 0, 0);
        }
        return new RankedTrees(features, cuts, [.. categorical], builder.Bounds, builder.Offsets, builder.Leaves,
            categorical.Count > 0 ? builder.Mixed : null, builder.Sets(), ensemble.TreeOutputs, ensemble.OutputCount);
    }

    /// <summary>Levels of splits below <paramref name="node"/> (0 for a leaf), counting no further than one past
    /// <see cref="Depth"/>.</summary>
    private static int DepthBelow(FlatNode[] nodes, int node, int level)
    {
        if (node < 0 || level > Depth)
        {
            return 0;
        }
        return 1 + Math.Max(DepthBelow(nodes, nodes[node].Left, level + 1), DepthBelow(nodes, nodes[node].Right, level + 1));
    }

    /// <summary>Lays the trees out as complete depth-6 heaps (node slot s has children 2s + 1 and 2s + 2).</summary>
    private sealed class Builder
    {
        private readonly TreeEnsemble _ensemble;
        private readonly double[] _cuts;
        private readonly Dictionary<int, int> _columnOf = [];
        private readonly Dictionary<int, int> _categoryColumnOf = [];
        private readonly int _categoryBase;
        private readonly List<byte[]> _sets = [];
        private readonly Dictionary<string, int> _setIndex = [];

        public Builder(TreeEnsemble ensemble, int[] features, double[] cuts, int[] categorical)
        {
            _ensemble = ensemble;
            _cuts = cuts;
            for (var c = 0; c < features.Length; c++)
            {
                _columnOf[features[c]] = c;
            }
            for (var k = 0; k < categorical.Length; k++)
            {
                _categoryColumnOf[categorical[k]] = k;
            }
            _categoryBase = 2 * features.Length * Lanes;
            DummyCategory = _categoryBase + (3 * categorical.Length * Lanes);
            var trees = ensemble.TreeCount;
            Bounds = new int[trees * Slots];
            Offsets = new ushort[trees * Slots];
            Leaves = new double[trees * Slots];
            Mixed = new MixedNode[trees * Slots];
            // set 0 holds every category: numeric nodes' category test always passes
            AddSet(Enumerable.Repeat((byte)0xFF, Lanes).ToArray());
        }

        public int[] Bounds { get; }

        public ushort[] Offsets { get; }

        public double[] Leaves { get; }

        public MixedNode[] Mixed { get; }

        /// <summary>Where the constant category triple numeric nodes read starts in a chunk (category 0, in every set).</summary>
        private int DummyCategory { get; }

        /// <summary>Fills slot <paramref name="slot"/> of tree <paramref name="t"/> from <paramref name="node"/>; a leaf
        /// above the bottom level becomes "always left" padding over copies of its value.</summary>
        public void Fill(int t, int node, int slot, int level)
        {
            if (level == Depth)
            {
                Leaves[(t * Slots) + slot - (Slots - 1)] = _ensemble.Leaves[~node];
                return;
            }
            var at = (t * Slots) + slot;
            if (node < 0)
            {
                Set(at, AlwaysLeft, 0, DummyCategory, 0);
                Fill(t, node, (2 * slot) + 1, level + 1);
                Fill(t, node, (2 * slot) + 2, level + 1);
                return;
            }
            var n = _ensemble.Nodes[node];
            var missingLeft = (n.Info & FlatNode.DefaultLeftFlag) != 0;
            if ((n.Info & FlatNode.CategoricalFlag) != 0)
            {
                // the numeric test sends every code of column 0 left; the set decides
                var category = _categoryBase + (3 * _categoryColumnOf[n.Feature] * Lanes);
                Set(at, AlwaysLeft, 0, category, CategorySet(n.Info >> 2, missingLeft));
            }
            else
            {
                var column = _columnOf[n.Feature];
                var bound = n.Threshold == double.PositiveInfinity
                    ? AlwaysLeft
                    : Array.BinarySearch(_cuts, column * CutSlots, CutSlots, n.Threshold == 0 ? 0.0 : n.Threshold) - (column * CutSlots) + 1;
                Set(at, bound, ((2 * column) + (missingLeft ? 0 : 1)) * Lanes, DummyCategory, 0);
            }
            Fill(t, n.Left, (2 * slot) + 1, level + 1);
            Fill(t, n.Right, (2 * slot) + 2, level + 1);
        }

        private void Set(int at, int bound, int offset, int categoryOffset, int set)
        {
            Bounds[at] = Broadcast(bound);
            Offsets[at] = (ushort)offset;
            Mixed[at] = new MixedNode
            {
                Bound = Broadcast(bound), Offset = (ushort)offset, CategoryOffset = (ushort)categoryOffset, SetAt = set * SetBytes,
            };
        }

        /// <summary>The index of a node's set: byte j bit b sends category 8j + b left; category 255 stands for a missing
        /// or unknown category, which goes the node's missing direction.</summary>
        private int CategorySet(int wordsAt, bool missingLeft)
        {
            var bytes = new byte[Lanes];
            for (var j = 0; j < Lanes; j++)
            {
                bytes[j] = (byte)(_ensemble.CategoryBits[wordsAt + (j >> 2)] >> ((j & 3) * 8));
            }
            bytes[Lanes - 1] = (byte)((bytes[Lanes - 1] & 0x7F) | (missingLeft ? 0x80 : 0));
            return AddSet(bytes);
        }

        private int AddSet(byte[] bytes)
        {
            var key = Convert.ToHexString(bytes);
            if (!_setIndex.TryGetValue(key, out var index))
            {
                _setIndex[key] = index = _sets.Count;
                _sets.Add(bytes);
            }
            return index;
        }

        /// <summary>The sets in their shuffle layout (see <see cref="SetBytes"/>).</summary>
        public byte[] Sets()
        {
            var result = new byte[_sets.Count * SetBytes];
            for (var s = 0; s < _sets.Count; s++)
            {
                var to = result.AsSpan(s * SetBytes, SetBytes);
                _sets[s].AsSpan(0, 16).CopyTo(to);
                _sets[s].AsSpan(0, 16).CopyTo(to[16..]);
                _sets[s].AsSpan(16, 16).CopyTo(to[32..]);
                _sets[s].AsSpan(16, 16).CopyTo(to[48..]);
            }
            return result;
        }
    }
}
