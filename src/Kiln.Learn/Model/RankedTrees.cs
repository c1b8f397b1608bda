using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Kiln.Learn.Data;

namespace Kiln.Learn.Model;

/// <summary>Prediction for ensembles of trees at most six levels deep (the usual boosted model): batches 32 rows per
/// AVX2 vector, single rows on the same codes (<see cref="SumRow"/>). Each feature's thresholds across the whole ensemble are sorted into "cuts"; a value's code is its
/// rank among them (how many cuts are below it), so "value &gt; threshold j" becomes "code &gt; j" — one byte compare.
/// A block's values are turned into codes once (two columns per feature: a missing value coded 0, which every node
/// sends left, or 255, which every node sends right — a node reads the column of its missing direction), then every
/// tree is evaluated for 32 rows at a time without gathers (<see cref="LeafIndices"/>). Trees shallower than six levels
/// are padded with "always left" nodes. Sums are added in tree order, so predictions equal the reference walk's
/// exactly. Categorical splits are tested by looking the row's category up in the node's 256-bit set
/// (<see cref="LeafIndicesMixed"/>, used when a model has any). Built from the ensemble on first use, never stored;
/// <see cref="TryCreate"/> declines models it cannot represent (deeper trees, more than 254 distinct thresholds on a
/// feature, no AVX2), which predict the <see cref="CompleteTrees"/> way.</summary>
internal sealed partial class RankedTrees
{
    public const int Depth = 6;

    /// <summary>Rows per vector.</summary>
    public const int Lanes = 32;

    /// <summary>Nodes (63, padded to 64) and leaves (64) per tree.</summary>
    private const int Slots = 64;

    /// <summary>Cuts per column, 16 groups of 16, padded with +∞.</summary>
    private const int CutSlots = 256;

    /// <summary>Distinct thresholds a feature may have: codes 0…254 for values, and bound 255 stays "always left".</summary>
    public const int MaxCuts = 254;

    /// <summary>The bound of a node that sends every present value left (+∞ thresholds, padding nodes).</summary>
    private const int AlwaysLeft = 255;

    private readonly int[] _features;
    private readonly double[] _cuts;
    private readonly double[] _pivots;
    private readonly int[] _bounds;
    private readonly byte[] _tables;
    private readonly ushort[] _offsets;
    private readonly double[] _leaves;
    private readonly int[] _outputs;
    private readonly int _outputCount;
    private readonly int[] _categoryFeatures;
    private readonly MixedNode[]? _mixed;
    private readonly byte[] _sets;

    private RankedTrees(int[] features, double[] cuts, int[] categoryFeatures, int[] bounds, ushort[] offsets, double[] leaves,
        MixedNode[]? mixed, byte[] sets, int[] outputs, int outputCount)
    {
        _features = features;
        _categoryFeatures = categoryFeatures;
        _mixed = mixed;
        _sets = sets;
        _cuts = cuts;
        // per column, the last cut of each group of 16 (cuts 15, 31, …, 255)
        _pivots = new double[features.Length * 16];
        for (var i = 0; i < _pivots.Length; i++)
        {
            _pivots[i] = cuts[(16 * i) + 15];
        }
        (_bucketFirst, _bucketScale, _bucketStart) = BucketTables(cuts, features.Length);
        _bounds = bounds;
        // the numeric traversal's bound tables (a model with categorical splits takes the mixed traversal instead)
        _tables = mixed is null ? Tables(bounds, outputs.Length) : [];
        _offsets = offsets;
        _leaves = leaves;
        _outputs = outputs;
        _outputCount = outputCount;
    }

    /// <summary>Bytes of codes per 32-row chunk: two columns (missing left, missing right) per numeric feature; with
    /// categorical splits, three per categorical feature (see <see cref="EncodeCategories"/>) and a constant triple.</summary>
    private int ChunkBytes => ((2 * _features.Length) + (_mixed is null ? 0 : 3 * (_categoryFeatures.Length + 1))) * Lanes;

    /// <summary>The trees' bound tables (see <see cref="TableBytes"/>) from their per-slot bounds.</summary>
    private static byte[] Tables(int[] bounds, int trees)
    {
        var tables = new byte[trees * TableBytes];
        for (var t = 0; t < trees; t++)
        {
            var table = tables.AsSpan(t * TableBytes, TableBytes);
            // each 16-byte half of a table: position p of the level at byte p (the shuffle reads within a half)
            for (var i = 0; i < Lanes; i++)
            {
                table[i] = (byte)bounds[t * Slots];
                for (var level = 1; level <= 4; level++)
                {
                    var width = 1 << level;
                    table[(level * Lanes) + i] = (byte)bounds[(t * Slots) + width - 1 + ((i % 16) % width)];
                }
                table[(5 * Lanes) + i] = (byte)bounds[(t * Slots) + 31 + (i % 16)];
                table[(6 * Lanes) + i] = (byte)bounds[(t * Slots) + 47 + (i % 16)];
            }
        }
        return tables;
    }

    /// <summary>A bound as the signed byte the compare uses (bound − 128), in all four bytes of an int.</summary>
    private static int Broadcast(int bound) => (byte)(bound ^ 0x80) * 0x01010101;

    /// <summary>Sums of leaf values per row and output (before the base score and transform), for rows stored
    /// column-major (feature f of row i at [f * stride + i]); <paramref name="output"/> is row-major.</summary>
    public void Sum(double[] columns, int stride, int count, Span<double> output)
    {
        var chunks = (count + Lanes - 1) / Lanes;
        var scratch = Scratch.Get(ChunkBytes * chunks, _outputs.Length * chunks * Lanes);
        Encode(columns, stride, count, scratch.Codes, chunks);
        SumCoded(scratch, chunks, count, output);
    }

    /// <summary>As <see cref="Sum(double[], int, int, Span{double})"/> for rows [<paramref name="start"/>, start +
    /// <paramref name="count"/>) of a table: float64 columns are read in place (their non-finite values missing, as the
    /// view has them); other features are filled into <paramref name="buffer"/> (feature f at f × stride) first.</summary>
    public void Sum(FeatureView view, int start, int count, double[] buffer, int stride, Span<double> output)
    {
        var chunks = (count + Lanes - 1) / Lanes;
        var scratch = Scratch.Get(ChunkBytes * chunks, _outputs.Length * chunks * Lanes);
        Encode(view, start, count, buffer, stride, scratch.Codes, chunks);
        SumCoded(scratch, chunks, count, output);
    }

    /// <summary>The leaves and their sums for a coded block.</summary>
    private void SumCoded(Scratch scratch, int chunks, int count, Span<double> output)
    {
        var rows = chunks * Lanes;
        var codes = scratch.Codes;
        var indices = scratch.Indices;
        if (_mixed is null)
        {
            Traverse(codes, indices, chunks, rows);
        }
        else
        {
            TraverseMixed(_mixed, codes, indices, chunks, rows);
        }
        if (_outputCount == 1)
        {
            SumSingle(indices, rows, count, output);
        }
        else
        {
            SumMany(indices, rows, count, output);
        }
    }

    /// <summary>Every tree's leaf for every row of the block (numeric models), tree by tree: a tree's bound tables and
    /// offsets stay in L1 while it runs over the block's chunks.</summary>
    private void Traverse(byte[] codes, byte[] indices, int chunks, int rows)
    {
        var chunkBytes = ChunkBytes;
        ref var code = ref MemoryMarshal.GetArrayDataReference(codes);
        for (var t = 0; t < _outputs.Length; t++)
        {
            ref var tables = ref _tables[t * TableBytes];
            ref var offsets = ref _offsets[t * Slots];
            LeafIndices(ref tables, ref offsets, ref code, chunkBytes, chunks, ref indices[t * rows]);
        }
    }

    /// <summary>As <see cref="Traverse"/>, for models with categorical splits.</summary>
    private void TraverseMixed(MixedNode[] mixed, byte[] codes, byte[] indices, int chunks, int rows)
    {
        var chunkBytes = ChunkBytes;
        ref var code = ref MemoryMarshal.GetArrayDataReference(codes);
        ref var sets = ref MemoryMarshal.GetArrayDataReference(_sets);
        for (var t = 0; t < _outputs.Length; t++)
        {
            ref var nodes = ref mixed[t * Slots];
            ref var index = ref indices[t * rows];
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var leaf = LeafIndicesMixed(ref nodes, ref sets, ref Unsafe.Add(ref code, chunk * chunkBytes));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref index, chunk * Lanes), leaf);
            }
        }
    }

    /// <summary>Trees whose leaf values (64 each, 8 KB for the group) stay in L1 while the block's rows add them.</summary>
    private const int SumGroup = 16;

    /// <summary>One output: per group of <see cref="SumGroup"/> trees, eight rows at a time with their sums in
    /// registers across the group's trees (in tree order), so a row and tree cost an index load and an add (the sums
    /// are loaded and stored once per group, not once per tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumSingle(byte[] indices, int rows, int count, Span<double> output)
    {
        var trees = _outputs.Length;
        var sums = output[..count];
        sums.Clear();
        ref var sum = ref MemoryMarshal.GetReference(sums);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leaves);
        ref var index = ref MemoryMarshal.GetArrayDataReference(indices);
        for (var group = 0; group < trees; group += SumGroup)
        {
            var end = Math.Min(trees, group + SumGroup);
            var r = 0;
            for (; r + 8 <= count; r += 8)
            {
                ref var at = ref Unsafe.Add(ref sum, r);
                double s0 = at, s1 = Unsafe.Add(ref at, 1), s2 = Unsafe.Add(ref at, 2), s3 = Unsafe.Add(ref at, 3);
                double s4 = Unsafe.Add(ref at, 4), s5 = Unsafe.Add(ref at, 5), s6 = Unsafe.Add(ref at, 6), s7 = Unsafe.Add(ref at, 7);
                // offsets advance as integers: a reference moved past the last tree would point outside the arrays
                nint treeAt = group * Slots;
                nint leafAt = (group * rows) + r;
                for (var t = group; t < end; t++, treeAt += Slots, leafAt += rows)
                {
                    ref var tree = ref Unsafe.Add(ref leaves, treeAt);
                    ref var leaf = ref Unsafe.Add(ref index, leafAt);
                    s0 += Unsafe.Add(ref tree, leaf);
                    s1 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 1));
                    s2 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 2));
                    s3 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 3));
                    s4 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 4));
                    s5 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 5));
                    s6 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 6));
                    s7 += Unsafe.Add(ref tree, Unsafe.Add(ref leaf, 7));
                }
                at = s0;
                Unsafe.Add(ref at, 1) = s1;
                Unsafe.Add(ref at, 2) = s2;
                Unsafe.Add(ref at, 3) = s3;
                Unsafe.Add(ref at, 4) = s4;
                Unsafe.Add(ref at, 5) = s5;
                Unsafe.Add(ref at, 6) = s6;
                Unsafe.Add(ref at, 7) = s7;
            }
            for (; r < count; r++)
            {
                var s = Unsafe.Add(ref sum, r);
                for (var t = group; t < end; t++)
                {
                    s += Unsafe.Add(ref leaves, (t * Slots) + Unsafe.Add(ref index, (t * rows) + r));
                }
                Unsafe.Add(ref sum, r) = s;
            }
        }
    }

    /// <summary>Several outputs (multiclass): each tree adds to its output's sum, trees in order.</summary>
    private void SumMany(byte[] indices, int rows, int count, Span<double> output)
    {
        var outputs = _outputCount;
        output[..(count * outputs)].Clear();
        for (var t = 0; t < _outputs.Length; t++)
        {
            var k = _outputs[t];
            var tree = _leaves.AsSpan(t * Slots, Slots);
            var index = indices.AsSpan(t * rows, count);
            for (var r = 0; r < count; r++)
            {
                output[(r * outputs) + k] += tree[index[r]];
            }
        }
    }

    /// <summary>Codes for the block: per chunk of 32 rows, per feature, a missing-goes-left column then a
    /// missing-goes-right column, each a code per row shifted to a signed byte (code − 128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Encode(double[] columns, int stride, int count, byte[] codes, int chunks)
    {
        for (var c = 0; c < _features.Length; c++)
        {
            EncodeFeature<NaNMissing>(c, ref columns[_features[c] * stride], count, codes, chunks);
        }
        if (_mixed is not null)
        {
            EncodeCategories(columns, stride, count, codes, chunks);
        }
    }

    /// <summary>As <see cref="Encode(double[], int, int, byte[], int)"/>, from a table's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Encode(FeatureView view, int start, int count, double[] buffer, int stride, byte[] codes, int chunks)
    {
        for (var c = 0; c < _features.Length; c++)
        {
            var feature = _features[c];
            if (view.TryGetFloat64(feature, start, count, out var values))
            {
                EncodeFeature<NonFiniteMissing>(c, ref MemoryMarshal.GetReference(values), count, codes, chunks);
                continue;
            }
            var block = buffer.AsSpan(feature * stride, count);
            view.Fill(feature, start, block);
            EncodeFeature<NaNMissing>(c, ref MemoryMarshal.GetReference(block), count, codes, chunks);
        }
        if (_mixed is not null)
        {
            foreach (var feature in _categoryFeatures)
            {
                view.Fill(feature, start, buffer.AsSpan(feature * stride, count));
            }
            EncodeCategories(buffer, stride, count, codes, chunks);
        }
    }

    /// <summary>Codes of column <paramref name="c"/>'s feature for the block's chunks, its values from <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EncodeFeature<TMissing>(int c, ref double value, int count, byte[] codes, int chunks)
        where TMissing : struct, IMissing
    {
        var chunkBytes = ChunkBytes;
        ref var code = ref MemoryMarshal.GetArrayDataReference(codes);
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            ref var left = ref Unsafe.Add(ref code, (chunk * chunkBytes) + (2 * c * Lanes));
            ref var right = ref Unsafe.Add(ref left, Lanes);
            var present = Math.Min(Lanes, count - (chunk * Lanes));
            EncodeColumn<TMissing>(c, ref Unsafe.Add(ref value, chunk * Lanes), present, ref left, ref right);
        }
    }

    /// <summary>Per categorical feature and chunk, three columns for the set lookup of category c (255 for a missing or
    /// unknown one, as the reference walk treats any code outside 0–254): c / 8 mod 16 (the byte within a 16-byte
    /// half), all ones when c ≥ 128 (the high half), and 1 &lt;&lt; (c mod 8). Then the constant triple of category 0.</summary>
    private void EncodeCategories(double[] columns, int stride, int count, byte[] codes, int chunks)
    {
        var chunkBytes = ChunkBytes;
        var first = 2 * _features.Length * Lanes;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var to = codes.AsSpan(chunk * chunkBytes, chunkBytes);
            for (var k = 0; k < _categoryFeatures.Length; k++)
            {
                var values = columns.AsSpan(_categoryFeatures[k] * stride, count);
                var at = first + (3 * k * Lanes);
                for (var lane = 0; lane < Lanes; lane++)
                {
                    var row = (chunk * Lanes) + lane;
                    var x = row < count ? values[row] : double.NaN;
                    var c = Category(x);
                    to[at + lane] = (byte)((c >> 3) & 15);
                    to[at + Lanes + lane] = c >= 128 ? (byte)0xFF : (byte)0;
                    to[at + (2 * Lanes) + lane] = (byte)(1 << (c & 7));
                }
            }
            var constant = first + (3 * _categoryFeatures.Length * Lanes);
            to.Slice(constant, 2 * Lanes).Clear();
            to.Slice(constant + (2 * Lanes), Lanes).Fill(1);
        }
    }

    /// <summary>Column <paramref name="column"/>'s pivots (its cuts 15, 31, …, 255) as four vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector256<double> A, Vector256<double> B, Vector256<double> C, Vector256<double> D) PivotsOf(int column)
    {
        ref var pivots = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pivots), column * 16);
        return (Vector256.LoadUnsafe(ref pivots), Vector256.LoadUnsafe(ref pivots, 4), Vector256.LoadUnsafe(ref pivots, 8),
            Vector256.LoadUnsafe(ref pivots, 12));
    }

    /// <summary>How many cuts are below <paramref name="x"/> (0 for NaN): which group of 16 it falls in, from 16 pivot
    /// compares, then how far into the group, from 16 more — four vector compares each, no branches, no search chain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Rank(ref double cuts, (Vector256<double> A, Vector256<double> B, Vector256<double> C, Vector256<double> D) pivots, double x)
    {
        var v = Vector256.Create(x);
        var group = Below(pivots.A, pivots.B, pivots.C, pivots.D, v);
        ref var first = ref Unsafe.Add(ref cuts, group * 16);
        return (group * 16) + Below(Vector256.LoadUnsafe(ref first), Vector256.LoadUnsafe(ref first, 4), Vector256.LoadUnsafe(ref first, 8),
            Vector256.LoadUnsafe(ref first, 12), v);
    }

    /// <summary>How many of 16 sorted values are below <paramref name="x"/>: the compares' all-ones lanes packed down to
    /// bytes (each double's flag becomes two bytes) and counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Below(Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d, Vector256<double> x)
    {
        var ab = Avx2.PackSignedSaturate(Vector256.LessThan(a, x).AsInt32(), Vector256.LessThan(b, x).AsInt32());
        var cd = Avx2.PackSignedSaturate(Vector256.LessThan(c, x).AsInt32(), Vector256.LessThan(d, x).AsInt32());
        var flags = (uint)Avx2.MoveMask(Avx2.PackSignedSaturate(ab, cd));
        return BitOperations.PopCount(flags) >> 1;
    }

    /// <summary>Per-thread buffers for codes and leaf indices (blocks are predicted on thread-pool threads).</summary>
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? s_current;

        private Scratch(int codes, int indices)
        {
            Codes = new byte[codes];
            Indices = new byte[indices];
        }

        public byte[] Codes { get; }

        public byte[] Indices { get; }

        public static Scratch Get(int codes, int indices)
        {
            var current = s_current;
            if (current is null || current.Codes.Length < codes || current.Indices.Length < indices)
            {
                s_current = current = new Scratch(codes, indices);
            }
            return current;
        }
    }
}
