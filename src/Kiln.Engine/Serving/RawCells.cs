namespace Kiln.Engine.Serving;

/// <summary>
/// Where each number of a scanned request sits in its body: the prediction log copies a number's text as the client
/// sent it instead of formatting the parsed value again (the same JSON number, for a fraction of the cost). Kept for
/// numeric features holding numbers; a cell without one (a literal, a category) has none, and the log formats its value.
/// </summary>
public sealed class RawCells : IDisposable
{
    private readonly byte[] _body;
    private int[]? _cells;
    private readonly int _features;

    internal RawCells(byte[] body, int[] cells, int features)
    {
        _body = body;
        _cells = cells;
        _features = features;
    }

    /// <summary>The text of row <paramref name="row"/>'s feature <paramref name="feature"/> (the model's feature order), if it was a number.</summary>
    public bool TryGet(int row, int feature, out ReadOnlySpan<byte> text)
    {
        var at = 2 * ((row * _features) + feature);
        if (_cells is null || at + 1 >= _cells.Length || _cells[at + 1] <= 0)
        {
            text = default;
            return false;
        }
        text = _body.AsSpan(_cells[at], _cells[at + 1]);
        return true;
    }

    /// <summary>Gives the pooled array back; afterwards every cell reads as none.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _cells, null) is { } cells)
        {
            System.Buffers.ArrayPool<int>.Shared.Return(cells);
        }
    }
}
