namespace Kiln.Core.Serving;

/// <summary>
/// Requests a route answered and how long they took, as counts that add and subtract: cumulative since a replica started,
/// or the difference of two of those over a recent window. Latency is kept in fixed buckets (<see cref="BoundsMs"/>), so
/// windows of several replicas add up and percentiles come from the sum.
/// </summary>
/// <param name="Requests">Requests answered (successfully or not).</param>
/// <param name="Errors">Of those, the ones answered with an error status (4xx or 5xx).</param>
/// <param name="LatencySumMs">Total time to read, score and answer them, in milliseconds.</param>
/// <param name="Buckets">Requests per latency bucket: <c>Buckets[i]</c> took at most <c>BoundsMs[i]</c> (and more than the bound before); the last counts the rest.</param>
public sealed record RouteTraffic(long Requests, long Errors, double LatencySumMs, IReadOnlyList<long> Buckets)
{
    /// <summary>The buckets' upper bounds in milliseconds, doubling from 0.25 ms to about 4 s; one more bucket holds what is slower.</summary>
    public static IReadOnlyList<double> BoundsMs { get; } = [.. Enumerable.Range(0, 15).Select(i => 0.25 * Math.Pow(2, i))];

    /// <summary>No requests.</summary>
    public static RouteTraffic None { get; } = new(0, 0, 0, new long[BoundsMs.Count + 1]);

    /// <summary>The bucket a latency falls in.</summary>
    public static int Bucket(double milliseconds)
    {
        for (var i = 0; i < BoundsMs.Count; i++)
        {
            if (milliseconds <= BoundsMs[i])
            {
                return i;
            }
        }
        return BoundsMs.Count;
    }

    /// <summary>What was added since <paramref name="earlier"/> (a counter that went back, as after a restart, counts from zero).</summary>
    public RouteTraffic Minus(RouteTraffic earlier) => Requests < earlier.Requests
        ? this
        : new(Requests - earlier.Requests, Errors - earlier.Errors, LatencySumMs - earlier.LatencySumMs, [.. Buckets.Select((b, i) => b - At(earlier, i))]);

    /// <summary>The traffic of both (two replicas of a route, say).</summary>
    public RouteTraffic Plus(RouteTraffic other) =>
        new(Requests + other.Requests, Errors + other.Errors, LatencySumMs + other.LatencySumMs, [.. Buckets.Select((b, i) => b + At(other, i))]);

    /// <summary>
    /// The latency at quantile <paramref name="q"/> (0–1), interpolated within its bucket as Prometheus' <c>histogram_quantile</c>
    /// does; the slowest bucket answers with its lower bound. Null without requests.
    /// </summary>
    public double? PercentileMs(double q)
    {
        var total = Buckets.Sum();
        if (total == 0)
        {
            return null;
        }
        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < Buckets.Count; i++)
        {
            if (Buckets[i] > 0 && seen + Buckets[i] >= rank)
            {
                if (i >= BoundsMs.Count)
                {
                    return BoundsMs[^1];
                }
                var lower = i == 0 ? 0 : BoundsMs[i - 1];
                return lower + (BoundsMs[i] - lower) * (rank - seen) / Buckets[i];
            }
            seen += Buckets[i];
        }
        return BoundsMs[^1];
    }

    private static long At(RouteTraffic t, int i) => i < t.Buckets.Count ? t.Buckets[i] : 0;
}
