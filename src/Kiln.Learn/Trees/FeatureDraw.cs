namespace Kiln.Learn.Trees;

/// <summary>A node's features drawn at random without replacement, one at a time (a Fisher–Yates shuffle taken only as far
/// as it is used): the first draws are a random subset of the features, and a search that finds a drawn feature constant
/// in the node can draw another in its place (as scikit-learn's forests do).</summary>
internal sealed class FeatureDraw
{
    private int[] _pool = [];
    private int _next;
    private Random _rng = new(0);

    /// <summary>Starts the draws over <paramref name="features"/> from <paramref name="rng"/>.</summary>
    public void Reset(int[] features, Random rng)
    {
        if (_pool.Length != features.Length)
        {
            _pool = new int[features.Length];
        }
        features.CopyTo(_pool, 0);
        _next = 0;
        _rng = rng;
    }

    /// <summary>The next feature, or false when every feature has been drawn.</summary>
    public bool TryNext(out int feature)
    {
        if (_next == _pool.Length)
        {
            feature = -1;
            return false;
        }
        var j = _rng.Next(_next, _pool.Length);
        (_pool[_next], _pool[j]) = (_pool[j], _pool[_next]);
        feature = _pool[_next++];
        return true;
    }
}
