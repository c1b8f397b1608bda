using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

/// <summary>
/// Collects one page of metric history from packed chunks read in order of their first step: keeps only points after
/// the cursor, and never more than about two pages of them, so memory is bounded by the page size, not the history.
/// </summary>
internal sealed class MetricPage(string key, int maxResults, MetricCursor? after)
{
    private List<Metric> _points = [];

    // How many kept points have a step below _threshold. Chunks come in order of their first step, and a chunk's points
    // are never below the threshold it was checked against, so the count only changes when the threshold rises or a trim
    // drops points: the check costs nothing per chunk while the threshold stays (e.g. a metric logged at one step).
    private long? _threshold;
    private int _below;

    public void Add(ReadOnlySpan<byte> chunk)
    {
        var decoded = new List<Metric>(chunk.Length / MetricPoints.RecordSize);
        MetricPoints.Decode(key, chunk, decoded);
        foreach (var point in decoded)
        {
            if (after is not { } cursor || cursor.Precedes(point))
            {
                _points.Add(point);
            }
        }
        if (_points.Count > 2 * (maxResults + 1))
        {
            Trim();
        }
    }

    /// <summary>
    /// True when the page is full and a chunk whose first step is <paramref name="nextMinStep"/> (and every later one)
    /// holds only points after the page's last: reading can stop.
    /// </summary>
    public bool IsCompleteBefore(long nextMinStep)
    {
        if (_points.Count <= maxResults)
        {
            return false;
        }
        if (_threshold != nextMinStep)
        {
            _threshold = nextMinStep;
            _below = 0;
            foreach (var point in _points)
            {
                _below += point.Step < nextMinStep ? 1 : 0;
            }
        }
        // Enough points come before anything a later chunk holds (duplicates are not yet dropped: count distinct ones).
        if (_below <= maxResults)
        {
            return false;
        }
        Trim();
        return _points.Count > maxResults && nextMinStep > _points[maxResults].Step;
    }

    public Page<Metric> ToPage()
    {
        Trim();
        if (_points.Count <= maxResults)
        {
            return new Page<Metric>(_points, null);
        }
        _points.RemoveAt(maxResults);
        return new Page<Metric>(_points, MetricCursor.After(_points[^1]).ToToken());
    }

    /// <summary>Sorts, drops exact duplicates and keeps the first page plus one point (which says whether there is more).</summary>
    private void Trim()
    {
        _threshold = null;
        _points = MetricPoints.SortDistinct(_points);
        if (_points.Count > maxResults + 1)
        {
            _points.RemoveRange(maxResults + 1, _points.Count - maxResults - 1);
        }
    }
}
