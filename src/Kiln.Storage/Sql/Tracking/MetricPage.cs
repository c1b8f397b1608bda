using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

/// <summary>
/// Collects one page of metric history from packed chunks read in order of their first step: keeps only points after
/// the cursor, and never more than about two pages of them, so memory is bounded by the page size, not the history.
/// </summary>
internal sealed class MetricPage(string key, int maxResults, MetricCursor? after)
{
    private List<Metric> _points = [];

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
        Trim();
        // Dropping duplicates may have left too few points to fill the page.
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
        _points = MetricPoints.SortDistinct(_points);
        if (_points.Count > maxResults + 1)
        {
            _points.RemoveRange(maxResults + 1, _points.Count - maxResults - 1);
        }
    }
}
