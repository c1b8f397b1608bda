namespace Kiln.Storage.Sql.Serving;

/// <summary>A decoded segment as a read found it: where its rows came from, and their bytes.</summary>
internal sealed record SegmentInfo(long Id, string Deployment, string Route, string? ModelName, int? ModelVersion, bool Shadow, long? InputsId,
    long FirstAt, long LastAt, byte[] Data);

/// <summary>One row a read keeps, with its segment.</summary>
internal readonly record struct WindowRow(SegmentInfo Segment, SegmentRow Row);

/// <summary>
/// The <c>limit</c> oldest (or newest) rows offered, ordered by time, request id and route: a read offers the rows of
/// segments in order of their first time (or, newest first, their last) and stops at a segment that starts after
/// (ends before) <see cref="Bound"/> once <see cref="Full"/>.
/// </summary>
internal sealed class PredictionWindow(int limit, bool newest)
{
    private static readonly Comparer<WindowRow> Oldest = Comparer<WindowRow>.Create(Compare);
    private static readonly Comparer<WindowRow> Newest = Comparer<WindowRow>.Create((a, b) => Compare(b, a));

    // the kept rows with the worst kept at the top: the newest of the oldest (or the oldest of the newest)
    private readonly PriorityQueue<WindowRow, WindowRow> _kept = new(newest ? Oldest : Newest);

    /// <summary>Whether <c>limit</c> rows are kept.</summary>
    public bool Full => _kept.Count >= limit;

    /// <summary>The time of the worst row kept (once full, a segment entirely past it has nothing to add).</summary>
    public long Bound => _kept.Peek().Row.Time;

    /// <summary>Whether a segment spanning <paramref name="firstAt"/> to <paramref name="lastAt"/> can add nothing, and
    /// none after it in the read's order can either.</summary>
    public bool Done(long firstAt, long lastAt) => Full && (newest ? lastAt < Bound : firstAt > Bound);

    /// <summary>Keeps <paramref name="row"/> when it is among the <c>limit</c> best so far.</summary>
    public void Offer(WindowRow row)
    {
        if (!Full)
        {
            _kept.Enqueue(row, row);
        }
        else if (newest ? Compare(row, _kept.Peek()) > 0 : Compare(row, _kept.Peek()) < 0)
        {
            _kept.EnqueueDequeue(row, row);
        }
    }

    /// <summary>The rows kept, oldest first.</summary>
    public List<WindowRow> Sorted()
    {
        var rows = _kept.UnorderedItems.Select(x => x.Element).ToList();
        rows.Sort(Oldest);
        return rows;
    }

    private static int Compare(WindowRow a, WindowRow b)
    {
        var c = a.Row.Time.CompareTo(b.Row.Time);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Row.RequestId, b.Row.RequestId);
        }
        return c != 0 ? c : string.CompareOrdinal(a.Segment.Route, b.Segment.Route);
    }
}
