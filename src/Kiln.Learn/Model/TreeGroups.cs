using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Learn.Model;

/// <summary>Runs of eight consecutive complete-layout trees of one depth, interleaved for one-row prediction: slot s of the
/// group's tree j is at [base + 8s + j]. Walking the eight trees together, each chain's position is p = 8s and its node is
/// at base + p + j, with j a constant: the eight chains share one base register instead of needing one each (which the
/// per-tree layout does, and which spills registers). <see cref="TreeEnsemble.Predict"/> walks trees in the same
/// order (eight, four or one at a time) and takes a group wherever <see cref="GroupAt"/> has one. Built from <see cref="CompleteTrees"/>; never stored.</summary>
internal sealed class TreeGroups
{
    private TreeGroups(int[] groupAt, int[] leafAt, int[] features, double[] thresholds, double[] leaves)
    {
        GroupAt = groupAt;
        LeafAt = leafAt;
        Features = features;
        Thresholds = thresholds;
        Leaves = leaves;
    }

    /// <summary>Per tree: the base of the group that starts at it, or −1.</summary>
    public int[] GroupAt { get; }

    /// <summary>Per tree: the base of its group's leaves (where the group starts), or −1.</summary>
    public int[] LeafAt { get; }

    public int[] Features { get; }

    public double[] Thresholds { get; }

    public double[] Leaves { get; }

    /// <summary>Whether trees t..t+7 form a group: all laid out complete, all of the same depth.</summary>
    public static bool IsGroup(int[] depths, int t)
    {
        if (t + 8 > depths.Length || depths[t] < 0)
        {
            return false;
        }
        for (var j = 1; j < 8; j++)
        {
            if (depths[t + j] != depths[t])
            {
                return false;
            }
        }
        return true;
    }

    public static TreeGroups Create(CompleteTrees complete)
    {
        var depths = complete.Depth;
        var trees = depths.Length;
        var groupAt = new int[trees];
        var leafAt = new int[trees];
        Array.Fill(groupAt, -1);
        Array.Fill(leafAt, -1);
        int nodes = 0, leaves = 0;
        // the same walk as TreeEnsemble.Predict: a group wherever eight trees of one depth start, else one tree on
        for (var t = 0; t < trees;)
        {
            if (!IsGroup(depths, t))
            {
                var four = depths[t] >= 0 && t + 4 <= trees && depths[t + 1] == depths[t] && depths[t + 2] == depths[t] && depths[t + 3] == depths[t];
                t += four ? 4 : 1;
                continue;
            }
            groupAt[t] = nodes;
            leafAt[t] = leaves;
            nodes += 8 * ((1 << depths[t]) - 1);
            leaves += 8 << depths[t];
            t += 8;
        }
        var result = new TreeGroups(groupAt, leafAt, new int[nodes], new double[nodes], new double[leaves]);
        for (var t = 0; t < trees; t++)
        {
            if (groupAt[t] < 0)
            {
                continue;
            }
            var inner = (1 << depths[t]) - 1;
            for (var j = 0; j < 8; j++)
            {
                var nb = complete.NodeBase[t + j];
                var lb = complete.LeafBase[t + j];
                for (var s = 0; s < inner; s++)
                {
                    result.Features[groupAt[t] + (8 * s) + j] = complete.Features[nb + s];
                    result.Thresholds[groupAt[t] + (8 * s) + j] = complete.Thresholds[nb + s];
                }
                for (var s = 0; s <= inner; s++)
                {
                    result.Leaves[leafAt[t] + (8 * s) + j] = complete.Leaves[lb + s];
                }
            }
        }
        return result;
    }

    /// <summary>Adds the group starting at tree <paramref name="t"/> to <paramref name="output"/> for a row with no missing value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Walk(int t, int depth, ref double x, ReadOnlySpan<int> treeOutputs, Span<double> output)
    {
        ref var features = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Features), GroupAt[t]);
        ref var thresholds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Thresholds), GroupAt[t]);
        nint p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
        for (var d = 0; d < depth; d++)
        {
            p0 = Step(p0, Unsafe.Add(ref x, Unsafe.Add(ref features, p0)), Unsafe.Add(ref thresholds, p0));
            p1 = Step(p1, Unsafe.Add(ref x, Unsafe.Add(ref features, p1 + 1)), Unsafe.Add(ref thresholds, p1 + 1));
            p2 = Step(p2, Unsafe.Add(ref x, Unsafe.Add(ref features, p2 + 2)), Unsafe.Add(ref thresholds, p2 + 2));
            p3 = Step(p3, Unsafe.Add(ref x, Unsafe.Add(ref features, p3 + 3)), Unsafe.Add(ref thresholds, p3 + 3));
            p4 = Step(p4, Unsafe.Add(ref x, Unsafe.Add(ref features, p4 + 4)), Unsafe.Add(ref thresholds, p4 + 4));
            p5 = Step(p5, Unsafe.Add(ref x, Unsafe.Add(ref features, p5 + 5)), Unsafe.Add(ref thresholds, p5 + 5));
            p6 = Step(p6, Unsafe.Add(ref x, Unsafe.Add(ref features, p6 + 6)), Unsafe.Add(ref thresholds, p6 + 6));
            p7 = Step(p7, Unsafe.Add(ref x, Unsafe.Add(ref features, p7 + 7)), Unsafe.Add(ref thresholds, p7 + 7));
        }
        // p = 8 · slot; the leaves of slot s (s ≥ 2^depth − 1) start at 8 · (s − (2^depth − 1)) from the group's leaves
        // (the positions move, not the reference: one before the array would not follow it when the GC moves it)
        nint first = 8 * ((1 << depth) - 1);
        ref var leaves = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Leaves), LeafAt[t]);
        AddLeaves(ref leaves, p0 - first, p1 - first, p2 - first, p3 - first, p4 - first, p5 - first, p6 - first, p7 - first, ref Unsafe.Add(ref MemoryMarshal.GetReference(treeOutputs), t), output);
    }

    /// <summary>Adds eight interleaved trees' leaves (tree j's at <paramref name="leaves"/>[p_j + j]) to their outputs, in tree order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddLeaves(ref double leaves, nint p0, nint p1, nint p2, nint p3, nint p4, nint p5, nint p6, nint p7, ref int outs,
        Span<double> output)
    {
        output[outs] += Unsafe.Add(ref leaves, p0);
        output[Unsafe.Add(ref outs, 1)] += Unsafe.Add(ref leaves, p1 + 1);
        output[Unsafe.Add(ref outs, 2)] += Unsafe.Add(ref leaves, p2 + 2);
        output[Unsafe.Add(ref outs, 3)] += Unsafe.Add(ref leaves, p3 + 3);
        output[Unsafe.Add(ref outs, 4)] += Unsafe.Add(ref leaves, p4 + 4);
        output[Unsafe.Add(ref outs, 5)] += Unsafe.Add(ref leaves, p5 + 5);
        output[Unsafe.Add(ref outs, 6)] += Unsafe.Add(ref leaves, p6 + 6);
        output[Unsafe.Add(ref outs, 7)] += Unsafe.Add(ref leaves, p7 + 7);
    }

    /// <summary>The next position (8 · slot): slot 2s + 1, or 2s + 2 when the value is above the threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Step(nint p, double value, double threshold)
    {
        if (Sse2.IsSupported)
        {
            // the comparison's all-ones mask, masked to 8: compare, move, and, lea (no flag-to-byte-to-word widening)
            var mask = Sse2.CompareScalarGreaterThan(Vector128.CreateScalarUnsafe(value), Vector128.CreateScalarUnsafe(threshold));
            return (2 * p) + 8 + (nint)(mask.AsInt64().ToScalar() & 8);
        }
        var right = value > threshold;
        return (2 * p) + 8 + ((nint)Unsafe.As<bool, byte>(ref right) * 8);
    }
}
