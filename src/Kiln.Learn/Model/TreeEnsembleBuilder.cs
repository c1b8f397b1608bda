using Kiln.Learn.Trees;

namespace Kiln.Learn.Model;

/// <summary>Compiles grown trees (bin space) into a <see cref="TreeEnsemble"/> (raw thresholds, category bitsets).</summary>
internal sealed class TreeEnsembleBuilder
{
    private readonly FeatureBins[] _bins;
    private readonly List<FlatNode> _nodes = [];
    private readonly List<double> _leaves = [];
    private readonly List<double> _nodeCovers = [];
    private readonly List<double> _leafCovers = [];
    private readonly List<uint> _categoryBits = [];
    private readonly List<int> _roots = [];
    private readonly List<int> _outputs = [];

    public TreeEnsembleBuilder(FeatureBins[] bins)
    {
        _bins = bins;
    }

    public int TreeCount => _roots.Count;

    public void Add(GrownTree tree, int output)
    {
        var nodeBase = _nodes.Count;
        var leafBase = _leaves.Count;
        _leaves.AddRange(tree.LeafValues);
        _leafCovers.AddRange(tree.LeafCovers.Count == tree.LeafValues.Count ? tree.LeafCovers : Enumerable.Repeat(0.0, tree.LeafValues.Count));
        _outputs.Add(output);
        if (tree.Nodes.Count == 0)
        {
            _roots.Add(~leafBase);
            return;
        }
        _roots.Add(nodeBase);
        foreach (var split in tree.Nodes)
        {
            var info = split.DefaultLeft ? FlatNode.DefaultLeftFlag : 0;
            var threshold = 0.0;
            if (split.Categorical)
            {
                info |= FlatNode.CategoricalFlag | (_categoryBits.Count << 2);
                var words = new uint[FlatNode.CategoryWords];
                for (var bin = 1; bin < FeatureBins.MaxBins; bin++)
                {
                    if (split.LeftBins.Contains(bin))
                    {
                        var code = bin - 1;
                        words[code >> 5] |= 1u << (code & 31);
                    }
                }
                _categoryBits.AddRange(words);
            }
            else
            {
                threshold = _bins[split.Feature].Threshold(split.ThresholdBin);
            }
            _nodeCovers.Add(split.Cover);
            _nodes.Add(new FlatNode
            {
                Feature = split.Feature, Threshold = threshold, Info = info,
                Left = Shift(split.Left), Right = Shift(split.Right),
            });
        }

        int Shift(int child) => child < 0 ? ~(leafBase + ~child) : nodeBase + child;
    }

    /// <summary>Keeps only the first <paramref name="trees"/> trees (early stopping's best iteration).</summary>
    public void Truncate(int trees)
    {
        if (trees >= _roots.Count)
        {
            return;
        }
        _roots.RemoveRange(trees, _roots.Count - trees);
        _outputs.RemoveRange(trees, _outputs.Count - trees);
    }

    public TreeEnsemble Build(double[] baseScores, OutputTransform transform, double scale) =>
        new([.. _nodes], [.. _leaves], [.. _categoryBits], [.. _roots], [.. _outputs], baseScores, transform, scale)
        {
            Covers = new TreeCovers([.. _nodeCovers], [.. _leafCovers]),
        };
}
