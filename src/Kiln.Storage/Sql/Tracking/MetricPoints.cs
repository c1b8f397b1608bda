using System.Buffers.Binary;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

/// <summary>
/// Packs a metric's points as 24-byte little-endian records (step, timestamp, value bits) so that a log-batch
/// writes one row per metric key instead of one per point. The value's bits are kept, so NaN and ±Infinity round-trip.
/// </summary>
internal static class MetricPoints
{
    public const int RecordSize = 24;

    public static byte[] Encode(List<Metric> points)
    {
        var bytes = new byte[points.Count * RecordSize];
        var span = bytes.AsSpan();
        for (var i = 0; i < points.Count; i++)
        {
            var record = span.Slice(i * RecordSize, RecordSize);
            BinaryPrimitives.WriteInt64LittleEndian(record, points[i].Step);
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], points[i].Timestamp);
            BinaryPrimitives.WriteDoubleLittleEndian(record[16..], points[i].Value);
        }
        return bytes;
    }

    public static void Decode(string key, ReadOnlySpan<byte> bytes, List<Metric> into)
    {
        for (var offset = 0; offset + RecordSize <= bytes.Length; offset += RecordSize)
        {
            var record = bytes.Slice(offset, RecordSize);
            into.Add(new Metric(key, BinaryPrimitives.ReadDoubleLittleEndian(record[16..]), BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(record)));
        }
    }

    /// <summary>Orders points by <see cref="MetricOrder"/> and drops exact duplicates, as MLflow stores each distinct point once.</summary>
    public static List<Metric> SortDistinct(List<Metric> points)
    {
        points.Sort(MetricOrder.Compare);
        var distinct = new List<Metric>(points.Count);
        foreach (var point in points)
        {
            if (distinct.Count == 0 || !Same(distinct[^1], point))
            {
                distinct.Add(point);
            }
        }
        return distinct;
    }

    private static bool Same(Metric a, Metric b) =>
        a.Step == b.Step && a.Timestamp == b.Timestamp && BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value);
}
